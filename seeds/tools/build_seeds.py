#!/usr/bin/env python3
"""Regenerate the carecast seed CSVs from the shared source data.

Usage (from the repository root):

    python3 seeds/tools/build_seeds.py [DATA_DIR]

DATA_DIR defaults to ../shared/data relative to the repository root.
Standard library only (python3.11).  Output is deterministic: rows sorted,
'\n' line endings, UTF-8 without BOM, no index columns.

The script also prints a check report (national totals, additivity,
suppression counts) to stdout and writes it to seeds/tools/check_report.txt;
PROVENANCE.md quotes those results.
"""

import csv
import io
import os
import sys
from collections import Counter, defaultdict

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SEEDS = os.path.join(REPO, "seeds")
DATA = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.abspath(
    os.path.join(REPO, "..", "shared", "data"))

REPORT = []


def log(msg=""):
    REPORT.append(msg)
    print(msg)


def read_csv(*parts):
    path = os.path.join(DATA, *parts)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def write_csv(name, header, rows):
    rows = sorted(set(tuple("" if v is None else str(v) for v in r) for r in rows),
                  key=sort_key)
    path = os.path.join(SEEDS, name)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(buf.getvalue())
    log(f"wrote {name}: {len(rows)} rows, {os.path.getsize(path)} bytes")
    return rows


def sort_key(row):
    # numeric-aware sort: integers sort as numbers, everything else as text
    out = []
    for v in row:
        if v.lstrip("-").isdigit():
            out.append((0, int(v), ""))
        else:
            out.append((1, 0, v))
    return out


def is_num(v):
    try:
        float(v)
        return v.strip() != ""
    except (TypeError, ValueError):
        return False


def clean_num(v):
    """Numeric string as given, '123.0' -> '123'; non-numeric -> ''."""
    v = (v or "").strip()
    if not is_num(v):
        return ""
    if "." in v:
        f = float(v)
        if f == int(f):
            return str(int(f))
        return ("%.6f" % f).rstrip("0").rstrip(".")
    return str(int(v))


def dfe3(code):
    """'201.0' -> '201'; '' -> ''."""
    code = (code or "").strip()
    if not code:
        return ""
    try:
        return str(int(float(code)))
    except ValueError:
        return code


# ---------------------------------------------------------------------------
# 1. areas
# ---------------------------------------------------------------------------
REGIONS = [
    ("E12000001", "North East", "980"),
    ("E12000002", "North West", "981"),
    ("E12000003", "Yorkshire and The Humber", "982"),
    ("E12000004", "East Midlands", "983"),
    ("E12000005", "West Midlands", "984"),
    ("E12000006", "East of England", "985"),
    ("E12000007", "London", "986"),
    ("E12000008", "South East", "989"),
    ("E12000009", "South West", "990"),
]
REGION_BY_NAME = {n.lower(): c for c, n, _ in REGIONS}
REGION_BY_NAME["east"] = "E12000006"
REGION_NAME = {c: n for c, n, _ in REGIONS}
INNER_OUTER_LONDON = {"E13000001", "E13000002", "inner london", "outer london",
                      "london (inner)", "london (outer)", "987", "988"}

# Former children's services authorities (abolished by local-government
# reorganisation) that still carry history in the source files.
FORMER = {
    # code: (dfe, name, region, note)
    "E10000021": ("928", "Northamptonshire", "E12000004",
                  "Former county council, abolished 1 April 2021 (LGR); replaced by North Northamptonshire "
                  "(E06000061, DfE 940) and West Northamptonshire (E06000062, DfE 941). Last CLA year: "
                  "31 March 2021; last financial year 2020-21; last ONS 0-17 estimate mid-2020."),
    "E10000006": ("909", "Cumbria", "E12000002",
                  "Former county council, abolished 1 April 2023 (LGR); replaced by Cumberland "
                  "(E06000063, DfE 942) and Westmorland and Furness (E06000064, DfE 943). Last CLA year: "
                  "31 March 2023; last financial year 2022-23; last ONS 0-17 estimate mid-2022."),
    "E10000009": ("835", "Dorset (pre-2019 county)", "E12000009",
                  "Former Dorset County Council, abolished 1 April 2019; area split between Dorset Council "
                  "(E06000059, DfE 838) and Bournemouth, Christchurch and Poole (E06000058, DfE 839). "
                  "Present in LAIT and the 2023 CLA release for years up to 2019."),
    "E06000028": ("837", "Bournemouth (pre-2019)", "E12000009",
                  "Former unitary, merged into Bournemouth, Christchurch and Poole (E06000058) on 1 April 2019."),
    "E06000029": ("836", "Poole (pre-2019)", "E12000009",
                  "Former unitary, merged into Bournemouth, Christchurch and Poole (E06000058) on 1 April 2019."),
}

# Joint reporting units (DfE workforce statistics only).
GROUPS = {
    "E06000061_E06000062": ("940/941", "North Northamptonshire / West Northamptonshire", "E12000004",
                            "Joint reporting unit, not a council: DfE children's social work workforce "
                            "statistics report the two Northamptonshire unitaries together (services run by "
                            "Northamptonshire Children's Trust) from 2021. Used only in workforce.csv."),
    "E09000021_E09000027": ("314/318", "Kingston upon Thames / Richmond upon Thames", "E12000007",
                            "Joint reporting unit, not a council: DfE workforce statistics report the two "
                            "boroughs together (shared children's services company Achieving for Children) in "
                            "every year 2017-2025. Used only in workforce.csv."),
}

LA_NOTES = {
    "E06000061": "Created 1 April 2021 when Northamptonshire County Council (E10000021) was abolished. First CLA "
                 "year 31 March 2022. Workforce is reported jointly with West Northamptonshire "
                 "(area E06000061_E06000062).",
    "E06000062": "Created 1 April 2021 when Northamptonshire County Council (E10000021) was abolished. First CLA "
                 "year 31 March 2022. Workforce is reported jointly with North Northamptonshire "
                 "(area E06000061_E06000062).",
    "E06000063": "Created 1 April 2023 when Cumbria County Council (E10000006) was abolished. First CLA year "
                 "31 March 2024.",
    "E06000064": "Created 1 April 2023 when Cumbria County Council (E10000006) was abolished. First CLA year "
                 "31 March 2024.",
    "E06000053": "Reported separately from Cornwall in the 2025 release (not combined); CLA counts are z or c "
                 "(none or very few children).",
    "E06000052": "Reported separately from the Isles of Scilly (E06000053) in all DfE files used here.",
    "E09000001": "Reported separately from Hackney in the 2025 release (not combined); CLA at 31 March 2025 "
                 "suppressed (c).",
    "E09000012": "Reported separately from the City of London (E09000001) in all DfE files used here.",
    "E09000021": "Workforce reported jointly with Richmond upon Thames (area E09000021_E09000027, "
                 "Achieving for Children).",
    "E09000027": "Workforce reported jointly with Kingston upon Thames (area E09000021_E09000027, "
                 "Achieving for Children).",
    "E06000060": "Unitary since 1 April 2020 (was Buckinghamshire County Council E10000002, same area and DfE "
                 "number 825); older rows under E10000002 are mapped here.",
    "E06000065": "Unitary since 1 April 2023 (was North Yorkshire County Council E10000023, same area and DfE "
                 "number 815); older rows under E10000023 are mapped here.",
    "E06000066": "Unitary since 1 April 2023 (was Somerset County Council E10000027, same area and DfE "
                 "number 933); older rows under E10000027 are mapped here.",
    "E06000058": "Created 1 April 2019 from Bournemouth (E06000028), Poole (E06000029) and the Christchurch part "
                 "of Dorset; first CLA year 31 March 2020.",
    "E06000059": "Dorset Council, created 1 April 2019 from the former Dorset County Council (E10000009) minus "
                 "Christchurch; first CLA year 31 March 2020.",
    "E08000016": "ONS code changed to E08000038 in 2024 (minor boundary change with Sheffield); DfE 2025 CLA "
                 "release still uses E08000016. Rows under E08000038 are mapped here.",
    "E08000019": "ONS code changed to E08000039 in 2024 (minor boundary change with Barnsley); DfE 2025 CLA "
                 "release still uses E08000019. Rows under E08000039 are mapped here.",
}

# old ONS codes of the same children's services authority -> current code
CODE_ALIASES = {
    "E10000002": "E06000060",  # Buckinghamshire CC -> Buckinghamshire Council (2020)
    "E10000023": "E06000065",  # North Yorkshire CC -> North Yorkshire Council (2023)
    "E10000027": "E06000066",  # Somerset CC -> Somerset Council (2023)
    "E08000038": "E08000016",  # Barnsley (2024 code)
    "E08000039": "E08000019",  # Sheffield (2024 code)
}

# years (ending 31 March) in which an authority existed as CSC authority;
# used to drop "did not exist" rows (DfE 'z'/LAIT '-')
LIFESPAN = {
    "E10000021": (None, 2021), "E06000061": (2022, None), "E06000062": (2022, None),
    "E10000006": (None, 2023), "E06000063": (2024, None), "E06000064": (2024, None),
    "E10000009": (None, 2019), "E06000028": (None, 2019), "E06000029": (None, 2019),
    "E06000058": (2020, None), "E06000059": (2020, None),
}


def existed(code, year):
    lo, hi = LIFESPAN.get(code, (None, None))
    return (lo is None or year >= lo) and (hi is None or year <= hi)


def build_areas():
    rows = read_csv("dfe_cla_csc_dashboard", "cla_number_and_rate_per_10k_children_release2025_2021to2025.csv")
    las = {}
    for r in rows:
        if r["geographic_level"] != "Local authority":
            continue
        code = r["new_la_code"]
        rc = r["region_code"]
        if rc in ("E13000001", "E13000002"):
            rc = "E12000007"
        las[code] = (dfe3(r["old_la_code"]), r["la_name"], rc, r["region_name"])
    out = [("E92000001", "970", "England", "national", "", "",
            "DfE number 970 is the LAIT code for England.")]
    for c, n, d in REGIONS:
        out.append((c, d, n, "region", "", "", "DfE number is the LAIT region code (980-990)."))
    n_la = 0
    for code, (dfe, name, rc, rname) in las.items():
        if code in FORMER:
            continue
        note = LA_NOTES.get(code, "")
        if rname in ("Inner London", "Outer London"):
            note = (rname + " (DfE sub-region). " + note).strip()
        out.append((code, dfe, name, "la", rc, REGION_NAME[rc], note))
        n_la += 1
    for code, (dfe, name, rc, note) in FORMER.items():
        out.append((code, dfe, name, "former_la", rc, REGION_NAME[rc], note))
    for code, (dfe, name, rc, note) in GROUPS.items():
        out.append((code, dfe, name, "la_group", rc, REGION_NAME[rc], note))
    log(f"areas: {n_la} current LAs from the 2025 release, {len(FORMER)} former LAs, {len(GROUPS)} joint units")
    assert n_la == 153, n_la
    write_csv("areas.csv", ["area_code", "dfe_number", "name", "level", "region_code", "region_name", "note"], out)
    return out


class AreaIndex:
    def __init__(self, areas):
        self.codes = {a[0] for a in areas}
        self.level = {a[0]: a[3] for a in areas}
        self.by_dfe = {}
        self.by_name = {}
        for a in areas:
            if a[3] in ("national", "region", "la", "former_la"):
                self.by_dfe[a[1]] = a[0]
            self.by_name[norm(a[2])] = a[0]
        for c, n, _ in REGIONS:
            self.by_name[norm(n)] = c
        self.by_name["east"] = "E12000006"
        self.by_name["england"] = "E92000001"
        self.by_name["national"] = "E92000001"

    def code(self, code="", dfe="", name=""):
        code = (code or "").strip()
        if code in CODE_ALIASES:
            code = CODE_ALIASES[code]
        d = dfe3(dfe)
        # DfE number first: it is stable across ONS code changes and
        # distinguishes old/new Dorset etc.
        if d in self.by_dfe:
            return self.by_dfe[d]
        if code in self.codes:
            return code
        return self.by_name.get(norm(name))


def norm(s):
    s = (s or "").lower().replace("&", "and").replace(".", "").replace(",", "")
    for suf in (" ua", " cc", " mbc"):
        if s.endswith(suf):
            s = s[: -len(suf)]
    return " ".join(s.split())


def skip_region(name="", code=""):
    return (name or "").strip().lower() in INNER_OUTER_LONDON or code in INNER_OUTER_LONDON


# ---------------------------------------------------------------------------
# 2. cla_headline
# ---------------------------------------------------------------------------
def parse_lait():
    rows = read_csv("dfe_lait", "lait_cla_finance_workforce_long.csv")
    return rows


def lait_vintage(v):
    return "lait-2025-03" if "0d8b32e" in v else "lait-2026-04"


def build_headline(ix, lait):
    releases = [
        ("cla_number_and_rate_per_10k_children_release2025_2021to2025.csv", "dfe-2025-release", range(2021, 2026)),
        ("cla_number_and_rate_per_10k_children_release2024_2020to2024.csv", "dfe-2024-release", [2020]),
        ("cla_number_and_rate_per_10k_children_release2023_2019to2023.csv", "dfe-2023-release", [2019]),
    ]
    data = defaultdict(dict)  # (code, year) -> fields
    unmapped = Counter()
    for fname, vintage, years in releases:
        for r in read_csv("dfe_cla_csc_dashboard", fname):
            y = int(r["time_period"])
            if y not in years:
                continue
            lvl = r["geographic_level"]
            if lvl == "National":
                code = "E92000001"
            elif lvl == "Regional":
                if skip_region(r["region_name"], r["region_code"]):
                    continue
                code = r["region_code"]
            else:
                code = ix.code(r["new_la_code"], r["old_la_code"], r["la_name"])
            if not code:
                unmapped[(fname, r["la_name"])] += 1
                continue
            if not existed(code, y):
                continue
            pt = r["population_type"].lower()
            key = "cla" if "31 march" in pt else "starts" if "starting" in pt else "ceased"
            d = data[(code, y)]
            d[key] = clean_num(r["children_count"])
            if key == "cla":
                d["rate"] = clean_num(r["rate_per_10000"])
            d["pop"] = clean_num(r["population_estimate"])
            d["vintage"] = vintage
            d.setdefault("src_codes", Counter())[r["children_count"]] += 0 if is_num(r["children_count"]) else 1
    item_key = {"LACnum": "cla", "LACnum_Start": "starts", "LACceased": "ceased", "LAC": "rate",
                "Unacc_Asylmn_Seek_Childn": "uasc"}
    lait_unmapped = Counter()
    for r in lait:
        k = item_key.get(r["short_desc"])
        if not k or not r["year"].isdigit():
            continue
        y = int(r["year"])
        if skip_region(r["area_name"], dfe3(r["la_number"])):
            continue
        code = ix.code("", r["la_number"], r["area_name"])
        if not code:
            lait_unmapped[r["area_name"]] += 1
            continue
        if not existed(code, y):
            continue
        if k == "uasc":
            if (code, y) in data or y <= 2018:
                data[(code, y)]["uasc"] = clean_num(r["value"])
                data[(code, y)]["uasc_vintage"] = lait_vintage(r["vintage"])
            continue
        if y > 2018:
            continue
        d = data[(code, y)]
        d[k] = clean_num(r["value"])
        d["vintage"] = lait_vintage(r["vintage"])
    if unmapped:
        log(f"headline: unmapped DfE rows {dict(unmapped)}")
    if lait_unmapped:
        log(f"headline: unmapped LAIT names {dict(lait_unmapped)}")
    out = []
    for (code, y), d in data.items():
        if "vintage" not in d:
            continue  # UASC-only row for an area/year outside the headline vintages
        out.append((code, y, d.get("cla", ""), d.get("starts", ""), d.get("ceased", ""), d.get("uasc", ""),
                    d.get("pop", ""), d.get("rate", ""), d["vintage"]))
    rows = write_csv("cla_headline.csv", ["area_code", "year", "cla_at_31_march", "starts", "ceased",
                                          "uasc_at_31_march", "population_0_17", "rate_per_10k", "vintage"], out)
    # checks
    facts = {2015: (69470, 31360, 31350, 2760), 2016: (70410, 32170, 31860, 4340),
             2017: (72610, 32940, 31400, 4700), 2018: (75360, 32190, 30050, 4560),
             2019: (78140, 31780, 29570, 5150), 2020: (80000, 31010, 29710, 5080),
             2021: (80780, 28470, 28120, 4150), 2022: (82090, 31100, 30230, 5680),
             2023: (83750, 33090, 31850, 7410), 2024: (83530, 33130, 33780, 7440),
             2025: (81770, 32270, 34450, 6540)}
    log("CHECK cla_headline national vs FACTS.md (cla/starts/ceased/uasc):")
    for r in rows:
        if r[0] == "E92000001":
            y = int(r[1])
            got = tuple(int(x) if x else None for x in (r[2], r[3], r[4], r[5]))
            exp = facts[y]
            status = "OK" if got == exp else "DIFF expected %s" % (exp,)
            log(f"  {y} {got} rate={r[7]} pop={r[6]} [{r[8]}] {status}")
    # regions + LAs sum to national
    log("CHECK cla_headline sum of LA rows (current+former that existed) vs national:")
    sums = defaultdict(lambda: [0, 0, 0, 0])
    nat = {}
    for r in rows:
        lvl = ix.level[r[0]]
        y = int(r[1])
        if r[0] == "E92000001":
            nat[y] = r
        if lvl in ("la", "former_la"):
            for i, j in enumerate((2, 3, 4, 5)):
                if r[j]:
                    sums[y][i] += int(r[j])
    for y in sorted(nat):
        log(f"  {y} LA sum cla/starts/ceased/uasc = {sums[y]} national = {nat[y][2:6]}")
    # Blackpool / Richmond rate 2025
    for r in rows:
        if r[1] == "2025" and r[0] in ("E06000009", "E09000027"):
            log(f"CHECK rate 2025 {r[0]} = {r[7]}")
    rates = [(int(r[7]), r[0]) for r in rows if r[1] == "2025" and r[7] and ix.level[r[0]] == "la"]
    log(f"CHECK 2025 LA rate range: min {min(rates)} max {max(rates)}")
    blanks = Counter()
    for r in rows:
        for name, j in (("cla", 2), ("starts", 3), ("ceased", 4), ("uasc", 5), ("pop", 6), ("rate", 7)):
            if r[j] == "":
                blanks[name] += 1
    log(f"cla_headline empty cells by column: {dict(blanks)}")
    for r in rows:
        if ix.level[r[0]] in ("la", "former_la") and (r[2] == "" or r[3] == "" or r[4] == ""):
            log(f"  empty count cell: {r}")
    return rows


# ---------------------------------------------------------------------------
# 3. cla_breakdowns
# ---------------------------------------------------------------------------
GROUP_DIM = {
    "Age group": "age", "Age on starting": "age", "Age on ceasing": "age",
    "Placement": "placement", "Place providers": "provider", "Legal status": "legal_status",
    "Reason episode ceased": "reason",
    "Unaccompanied asylum-seeking children": "uasc", "UASC": "uasc",
}
CAT = {
    "age": {
        "Under 1 year": "under_1", "1 to 4 years": "1_4", "5 to 9 years": "5_9", "10 to 15 years": "10_15",
        "16 years and over": "16_17", "16 years": "16", "17 years": "17", "18 years and over": "18_plus",
        "Total": "total",
    },
    "placement": {
        "Foster placements": "foster",
        "Secure homes and children's homes": "childrens_home",
        "Secure units, children's homes and semi-independent living accommodation": "childrens_home",
        "Independent and semi-independent living arrangements/supported accommodation": "independent_living",
        "Independent living": "independent_living",
        "Placed with parents or other person with parental responsibility": "with_parents",
        "Placed for adoption": "placed_for_adoption",
        "Other residential settings": "other_residential",
        "Residential schools": "residential_school",
        "Other placements": "other",
        "Other placement": "other",
        "Total": "total",
    },
    "provider": {
        "Own provision (by the LA)": "own_provision", "Other LA provision": "other_la",
        "Other public provision (e.g. by a PCT etc)": "other_public", "Private provision": "private",
        "Voluntary/third sector provision": "voluntary",
        "Parents or other person with parental responsibility": "parents",
        "Placement provider not reported": "not_reported", "Total": "total",
    },
    "legal_status": {
        "Full care order": "full_care_order", "Interim care order": "interim_care_order",
        "Placement order granted": "placement_order",
        "Voluntary agreements under S20 CA 1989": "s20_voluntary",
        "Voluntary agreement under S20": "s20_voluntary",
        "Youth justice legal statuses": "youth_justice",
        "Detained for child protection": "detained_for_child_protection",
        "Emergency protection order": "emergency_protection_order",
        "Police protection in LA accommodation": "police_protection",
        "Child assessment order and in LA accommodation": "child_assessment_order",
        "LA accommodation under PACE 1989": "pace_accommodation",
        "Remand": "remand",
        "Sentenced to youth rehabilitation order": "youth_rehabilitation_order",
        "Total": "total",
    },
    "reason": {
        "Returned home to live with parents or other person with parental responsibility which was part of the "
        "care planning process": "returned_home_planned",
        "Returned home to live with parents or other person with parental responsibility which was not part of "
        "the care planning process": "returned_home_unplanned",
        "Left care to live with parents, relatives or other person with no parental responsibility":
            "left_to_live_with_relatives",
        "Adopted": "adopted",
        "Special guardianship order": "special_guardianship",
        "Special guardianship orders": "special_guardianship",
        "Residence order or child arrangement order granted": "child_arrangements_order",
        "Aged 18 (or over) and remained with current carers": "aged_18_stayed_with_carers",
        "Moved into independent living (with supportive accommodation)": "independent_living_supported",
        "Moved into independent living (with no formalised support)": "independent_living_unsupported",
        "Care taken by another local authority": "transferred_to_another_la",
        "Sentenced to custody": "sentenced_to_custody",
        "Accommodation on remand ended": "remand_ended",
        "Transferred to residential care funded by adult social services": "adult_social_care",
        "Age assessment determined child aged 18 or over": "age_assessed_18_plus",
        "Child moved abroad": "moved_abroad",
        "Died": "died",
        "Care ceased for any other reason": "other",
        "Total": "total",
    },
    "uasc": {
        "UASC": "uasc", "Unaccompanied asylum-seeking children": "uasc",
        "Non-UASC": "non_uasc", "Children excluding unaccompanied asylum-seeking children": "non_uasc",
        "Total": "total",
    },
}


def build_breakdowns(ix):
    files = [
        ("stock", "cla_on_31_march_by_characteristics_2020to2025.csv",
         "NATIONAL_ONLY_cla_on_31_march_by_characteristics_2020to2025.csv"),
        ("starts", "cla_starting_in_year_by_characteristics_2021to2025.csv",
         "NATIONAL_ONLY_cla_starting_by_characteristics_2021to2025.csv"),
        ("ceased", "cla_ceased_in_year_by_characteristics_2020to2025.csv",
         "NATIONAL_ONLY_cla_ceased_by_characteristics_2020to2025.csv"),
    ]
    out = {}
    unmapped_labels = Counter()
    dup_exact = 0
    dup_conflict = []
    skipped_sub_regions = 0
    dropped_nonexistent = Counter()
    for table, fname, natname in files:
        for r in read_csv("dfe_cla_csc_dashboard", fname):
            dim = GROUP_DIM.get(r["cla_group"])
            if not dim:
                continue
            cat = CAT[dim].get(r["characteristic"])
            if cat is None:
                unmapped_labels[(table, r["cla_group"], r["characteristic"])] += 1
                continue
            lvl = r["geographic_level"]
            if lvl == "National":
                code = "E92000001"
            elif lvl == "Regional":
                if skip_region(r["geo_breakdown"]):
                    skipped_sub_regions += 1
                    continue
                code = REGION_BY_NAME[r["geo_breakdown"].lower()]
            else:
                code = r["new_la_code"].strip() or None
                code = ix.code(code or "", r["old_la_code"], r["geo_breakdown"]) if not code or \
                    code not in ix.codes else code
                if code in CODE_ALIASES:
                    code = CODE_ALIASES[code]
            assert code in ix.codes, (code, r)
            if not existed(code, int(r["time_period"])):
                # successor authority before it existed: DfE carries 'z' rows; drop them
                assert r["number"].strip() == "z", r
                dropped_nonexistent[(code, r["time_period"])] += 1
                continue
            key = (code, r["time_period"], table, dim, cat)
            val = r["number"].strip()
            if key in out:
                if out[key] == val:
                    dup_exact += 1
                else:
                    dup_conflict.append((key, out[key], val))
                continue
            out[key] = val
        # NATIONAL_ONLY cross-check
        diffs = 0
        n = 0
        for r in read_csv("dfe_cla_csc_dashboard", natname):
            dim = GROUP_DIM.get(r["cla_group"])
            if not dim:
                continue
            cat = CAT[dim].get(r["characteristic"])
            if cat is None:
                continue
            n += 1
            key = ("E92000001", r["time_period"], table, dim, cat)
            if out.get(key) != r["number"].strip():
                diffs += 1
                log(f"  NATIONAL_ONLY mismatch {key}: full={out.get(key)} national_only={r['number']}")
        log(f"CHECK breakdowns {table}: NATIONAL_ONLY file agrees on {n - diffs}/{n} kept national cells")
    if unmapped_labels:
        log(f"breakdowns: UNMAPPED labels {dict(unmapped_labels)}")
    log(f"breakdowns: exact duplicate keys dropped {dup_exact}; conflicting duplicates {len(dup_conflict)}; "
        f"Inner/Outer London rows skipped {skipped_sub_regions}")
    log(f"breakdowns: all-'z' rows dropped for authorities before they existed: {sum(dropped_nonexistent.values())} "
        f"({', '.join(f'{k[0]} {k[1]}' for k in sorted(dropped_nonexistent))})")
    # LA sum vs national for stock/starts/ceased totals (shows the missing former-LA rows)
    nat = {}
    las = Counter()
    for (code, y, table, dim, cat), v in out.items():
        if dim == "age" and cat == "total":
            if code == "E92000001":
                nat[(table, y)] = v
            elif ix.level[code] == "la" and v.isdigit():
                las[(table, y)] += int(v)
    log("CHECK breakdowns: sum of LA age totals vs national (gap = former LAs absent from the files + suppression):")
    for k in sorted(nat):
        log(f"  {k[0]:6} {k[1]} national {nat[k]} LA sum {las[k]}")
    for c in dup_conflict[:20]:
        log(f"  conflict {c}")
    rows = [k + (v,) for k, v in out.items()]
    rows = write_csv("cla_breakdowns.csv", ["area_code", "year", "table", "dimension", "category", "value"], rows)
    # suppression counts for LAs in 2025
    log("CHECK breakdowns: LA cells (153 current LAs) in 2025 that are not integers, by table/dimension:")
    sup = defaultdict(Counter)
    tot = Counter()
    for r in rows:
        if r[1] != "2025" or ix.level.get(r[0]) != "la":
            continue
        k = (r[2], r[3])
        tot[k] += 1
        if not r[5].lstrip("-").isdigit():
            sup[k][r[5]] += 1
    for k in sorted(tot):
        log(f"  {k[0]:6} {k[1]:13} {sum(sup[k].values()):5} of {tot[k]:5} cells {dict(sup[k])}")
    log("CHECK breakdowns: 2025 LA cells not integers, by table/dimension/category (LAs out of 153):")
    sup2 = defaultdict(Counter)
    for r in rows:
        if r[1] != "2025" or ix.level.get(r[0]) != "la":
            continue
        if not r[5].lstrip("-").isdigit():
            sup2[(r[2], r[3], r[4])][r[5]] += 1
    for k in sorted(sup2):
        log(f"  {k[0]:6} {k[1]:13} {k[2]:30} {sum(sup2[k].values()):4} {dict(sup2[k])}")
    # additivity of national categories
    log("CHECK breakdowns: national categories vs total (sum of integer categories - total):")
    groups = defaultdict(dict)
    for r in rows:
        if r[0] == "E92000001":
            groups[(r[2], r[3], r[1])][r[4]] = r[5]
    for k in sorted(groups):
        g = groups[k]
        parts = [v for c, v in g.items() if c != "total"]
        nonint = [c for c, v in g.items() if c != "total" and not v.isdigit()]
        s = sum(int(v) for v in parts if v.isdigit())
        t = g.get("total", "")
        diff = s - int(t) if t.isdigit() else None
        log(f"  {k[0]:6} {k[1]:13} {k[2]} sum={s} total={t} diff={diff} non-integer cats={nonint}")
    return rows


# ---------------------------------------------------------------------------
# 4. population
# ---------------------------------------------------------------------------
def build_population(ix):
    out = []
    gaps = []
    for r in read_csv("dfe_cla_csc_dashboard", "ons_mid-year_population_estimates_2012_to_2024.csv"):
        lvl = r["geographic_level"]
        if lvl == "National":
            code = "E92000001"
        elif lvl == "Regional":
            if skip_region(r["region_name"], r["region_code"]):
                continue
            code = r["region_code"]
        else:
            code = ix.code(r["new_la_code"], r["old_la_code"], r["la_name"])
        assert code in ix.codes, r
        v = clean_num(r["population_estimate"])
        if not v:
            gaps.append((code, r["time_period"], r["population_estimate"]))
        out.append((code, int(r["time_period"]), v))
    rows = write_csv("population_0_17.csv", ["area_code", "mid_year", "population"], out)
    log(f"population_0_17: empty (source 'x') cells: {gaps}")
    for r in rows:
        if r[0] == "E92000001" and r[1] in ("2012", "2024"):
            log(f"CHECK population_0_17 England mid-{r[1]} = {r[2]}")
    # LA coverage
    cover = defaultdict(set)
    for r in rows:
        cover[r[0]].add(int(r[1]))
    for code in sorted(ix.codes):
        if ix.level[code] == "la" and len(cover[code]) != 13:
            log(f"  population_0_17 coverage {code}: {sorted(cover[code])}")
    # sum of LAs vs England
    s = defaultdict(int)
    for r in rows:
        if ix.level[r[0]] in ("la", "former_la") and r[2]:
            s[int(r[1])] += int(r[2])
    nat = {int(r[1]): int(r[2]) for r in rows if r[0] == "E92000001"}
    log("CHECK population_0_17 sum of LAs (incl. former) - England by mid-year: " +
        ", ".join(f"{y}:{s[y] - nat[y]}" for y in sorted(nat)))

    # single year of age
    out = []
    want = {c for c in ix.codes if ix.level[c] in ("la", "national", "region")}
    for r in read_csv("ons_mid_year_estimates", "ons_mye_persons_single_year_age_0to17_england_areas_mid2022_mid2023.csv"):
        code = CODE_ALIASES.get(r["Code"], r["Code"])
        if code not in want:
            continue
        if r["Geography"] not in ("Country", "Region", "County", "Unitary Authority", "Metropolitan District",
                                  "London Borough"):
            continue
        out.append((code, int(r["mid_year"]), int(r["age"]), clean_num(r["population"])))
    rows = write_csv("population_single_year.csv", ["area_code", "mid_year", "age", "population"], out)
    have = defaultdict(set)
    for r in rows:
        have[(r[0], r[1])].add(int(r[2]))
    missing = []
    for c in sorted(want):
        for y in ("2022", "2023"):
            if have[(c, y)] != set(range(18)):
                missing.append((c, y, sorted(set(range(18)) - have[(c, y)])))
    log(f"CHECK population_single_year: areas x years missing any age 0-17: {missing if missing else 'none'} "
        f"({len(want)} areas checked)")
    tot = defaultdict(int)
    for r in rows:
        if r[0] == "E92000001":
            tot[r[1]] += int(r[3])
    log(f"CHECK population_single_year England 0-17 totals: {dict(tot)}")
    la_tot = defaultdict(int)
    for r in rows:
        if ix.level[r[0]] == "la":
            la_tot[r[1]] += int(r[3])
    log(f"CHECK population_single_year sum of 153 LAs: {dict(la_tot)}")


# ---------------------------------------------------------------------------
# 5. S251 finance + care leavers
# ---------------------------------------------------------------------------
S251_ITEMS = {
    "TotalLACFinance": ("cla_total_gbp", "gbp"),
    "C&YPExpenditure": ("children_young_people_total_gbp", "gbp"),
    "SafeguardingFinance": ("safeguarding_gbp", "gbp"),
    "FamilySupportFinance": ("family_support_gbp", "gbp"),
    "LeaveCareSupServTotExp": ("leaving_care_gbp", "gbp"),
    "OtherChildren&FamilyFinance": ("other_children_family_gbp", "gbp"),
    "SureStartFinance": ("sure_start_gbp", "gbp"),
    "YoungPeopleFinance": ("young_people_gbp", "gbp"),
    "YouthJusticeFinance": ("youth_justice_gbp", "gbp"),
    "LACFinance": ("weekly_cost_all_cla_gbp", "gbp_per_week"),
    "RescareFinance": ("weekly_cost_residential_gbp", "gbp_per_week"),
    "FosteringFinance": ("weekly_cost_fostering_gbp", "gbp_per_week"),
    "AdoptionFinance": ("weekly_cost_adoption_gbp", "gbp_per_week"),
    "SWFinance": ("weekly_cost_sw_gbp", "gbp_per_week"),
}


def build_s251(ix, lait):
    out = []
    unmapped = Counter()
    vint = Counter()
    for r in lait:
        it = S251_ITEMS.get(r["short_desc"])
        if not it:
            continue
        fy = r["year"].replace("(OT)", "").strip()
        if len(fy) != 7 or fy[4] != "-":
            continue
        year = int(fy[:4]) + 1
        if not (2016 <= year <= 2025):
            continue
        if skip_region(r["area_name"], dfe3(r["la_number"])):
            continue
        code = ix.code("", r["la_number"], r["area_name"])
        if not code:
            unmapped[(r["area_name"], r["la_number"])] += 1
            continue
        if not existed(code, year):
            continue
        vint[lait_vintage(r["vintage"])] += 1
        out.append((code, fy, year, it[0], clean_num(r["value"]), it[1]))
    log(f"s251: LAIT vintages used {dict(vint)}; unmapped area names: {dict(unmapped) if unmapped else 'none'}")
    rows = write_csv("s251_finance.csv", ["area_code", "financial_year", "year", "item", "value", "unit"], out)
    eng = defaultdict(dict)
    for r in rows:
        if r[0] == "E92000001":
            eng[r[1]][r[3]] = int(r[4]) if r[4] else None
    log("CHECK s251 England:")
    for fy in ("2015-16", "2019-20", "2024-25"):
        e = eng[fy]
        log(f"  {fy}: cla_total {e['cla_total_gbp'] / 1e9:.2f}bn; C&YP total "
            f"{e['children_young_people_total_gbp'] / 1e9:.2f}bn; weekly all {e['weekly_cost_all_cla_gbp']}, "
            f"residential {e['weekly_cost_residential_gbp']}, fostering {e['weekly_cost_fostering_gbp']}, "
            f"adoption {e['weekly_cost_adoption_gbp']}, social work {e['weekly_cost_sw_gbp']}")
    log("CHECK s251 England additivity: C&YP total - (sure_start + cla_total + other_children_family + "
        "family_support + youth_justice + safeguarding + young_people); leaving_care share of cla_total:")
    parts = ["sure_start_gbp", "cla_total_gbp", "other_children_family_gbp", "family_support_gbp",
             "youth_justice_gbp", "safeguarding_gbp", "young_people_gbp"]
    for fy in sorted(eng):
        e = eng[fy]
        s = sum(e[p] for p in parts)
        log(f"  {fy}: C&YP {e['children_young_people_total_gbp']:,} sum7 {s:,} residual "
            f"{e['children_young_people_total_gbp'] - s:,} ({(e['children_young_people_total_gbp'] - s) / e['children_young_people_total_gbp'] * 100:.3f}%); "
            f"leaving care {e['leaving_care_gbp']:,} = {e['leaving_care_gbp'] / e['cla_total_gbp'] * 100:.1f}% of CLA")
    # LA-level additivity
    la = defaultdict(dict)
    for r in rows:
        if ix.level[r[0]] in ("la", "former_la") and r[4]:
            la[(r[0], r[1])][r[3]] = int(r[4])
    exact = close = far = 0
    for k, e in la.items():
        if all(p in e for p in parts) and "children_young_people_total_gbp" in e:
            d = e["children_young_people_total_gbp"] - sum(e[p] for p in parts)
            if abs(d) <= 2:
                exact += 1
            elif abs(d) <= 0.01 * e["children_young_people_total_gbp"]:
                close += 1
            else:
                far += 1
    log(f"CHECK s251 LA additivity (same 7 lines): |residual|<=2 GBP: {exact}; within 1%: {close}; "
        f"larger: {far}")
    # LA sum vs England
    sums = defaultdict(int)
    for r in rows:
        if ix.level[r[0]] in ("la", "former_la") and r[4] and r[3] == "cla_total_gbp":
            sums[r[1]] += int(r[4])
    log("CHECK s251 cla_total sum of LAs / England: " + ", ".join(
        f"{fy}:{sums[fy] / eng[fy]['cla_total_gbp']:.4f}" for fy in sorted(eng)))
    blanks = Counter(r[3] for r in rows if not r[4] and ix.level[r[0]] == "la")
    log(f"s251 empty LA cells by item: {dict(blanks)}")

    # care leavers
    out = []
    for r in lait:
        if r["short_desc"] != "NoCareLeavers" or not r["year"].isdigit():
            continue
        y = int(r["year"])
        if skip_region(r["area_name"], dfe3(r["la_number"])):
            continue
        code = ix.code("", r["la_number"], r["area_name"])
        if not code or not existed(code, y):
            continue
        out.append((code, y, clean_num(r["value"])))
    rows = write_csv("care_leavers.csv", ["area_code", "year", "care_leavers"], out)
    log("CHECK care_leavers England: " + ", ".join(f"{r[1]}:{r[2]}" for r in rows if r[0] == "E92000001"))
    log(f"care_leavers empty LA cells: {sum(1 for r in rows if not r[2] and ix.level[r[0]] == 'la')}")


# ---------------------------------------------------------------------------
# 6. RO3
# ---------------------------------------------------------------------------
def ro3_line(label):
    s = label.lower().replace("’", "'")
    s = s.split("[")[0].strip()
    table = [
        ("of which agency staff", "agency_staff_costs"),
        ("of which residential", "cla_residential"),
        ("of which fostering", "cla_fostering"),
        ("of which asylum", "cla_asylum"),
        ("of which other", "cla_other"),
        ("children looked after", "cla_total"),
        ("sure start", "sure_start"),
        ("other children", "other_children_family"),
        ("family support", "family_support"),
        ("youth justice", "youth_justice"),
        ("safeguarding", "safeguarding"),
        ("asylum seekers", "asylum_seekers"),
        ("services for young people", "young_people"),
        ("total children", "total"),
    ]
    for needle, sid in table:
        if needle in s:
            return sid
    raise KeyError(label)


RO3_TOP = ["sure_start", "cla_total", "other_children_family", "family_support", "youth_justice",
           "safeguarding", "asylum_seekers", "young_people"]


def gbp(v):
    v = (v or "").strip()
    if not is_num(v):
        return ""
    return str(int(round(float(v) * 1000)))


def build_ro3(ix):
    out = []
    eng = {}
    for r in read_csv("mhclg_ro3_childrens_social_care", "ro3_england_childrens_social_care_2022-23_to_2024-25.csv"):
        sid = ro3_line(r["service_line"])
        fy = r["financial_year"]
        row = ("E92000001", fy, int(fy[:4]) + 1, sid, gbp(r["total_expenditure"]), gbp(r["net_current_expenditure"]))
        out.append(row)
        eng[(fy, sid)] = row
    la = defaultdict(dict)
    unmapped = Counter()
    codes_fy = defaultdict(set)
    for r in read_csv("mhclg_ro3_childrens_social_care", "ro3_la_childrens_social_care_long_2022-23_to_2024-25.csv"):
        if r["la_class"] not in ("SC", "MD", "LB", "UA"):
            continue
        if r["measure"] not in ("Total Expenditure", "Net Current Expenditure"):
            continue
        code = ix.code(r["ons_code"], "", r["local_authority"])
        if not code:
            unmapped[(r["ons_code"], r["local_authority"])] += 1
            continue
        fy = r["financial_year"]
        codes_fy[fy].add(code)
        la[(code, fy, ro3_line(r["service_line"]))][r["measure"]] = gbp(r["value_gbp_thousand"])
    log(f"ro3: unmapped LA codes {dict(unmapped) if unmapped else 'none'}; authorities per year "
        f"{ {k: len(v) for k, v in sorted(codes_fy.items())} }")
    derived = defaultdict(lambda: [0, 0, True, True])
    for (code, fy, sid), m in la.items():
        te = m.get("Total Expenditure", "")
        ne = m.get("Net Current Expenditure", "")
        out.append((code, fy, int(fy[:4]) + 1, sid, te, ne))
        if sid in RO3_TOP:
            d = derived[(code, fy)]
            if te:
                d[0] += int(te)
            else:
                d[2] = False
            if ne:
                d[1] += int(ne)
            else:
                d[3] = False
    for (code, fy), d in derived.items():
        out.append((code, fy, int(fy[:4]) + 1, "total", str(d[0]) if d[2] else "", str(d[1]) if d[3] else ""))
    rows = write_csv("ro3.csv", ["area_code", "financial_year", "year", "service_line", "total_expenditure_gbp",
                                 "net_current_expenditure_gbp"], out)
    log("CHECK ro3 England 2024-25 total expenditure (bn): " + ", ".join(
        f"{sid} {int(eng[('2024-25', sid)][4]) / 1e9:.2f}" for sid in
        ["cla_total", "cla_residential", "cla_fostering", "cla_asylum", "cla_other", "total"]))
    for fy in ("2022-23", "2023-24", "2024-25"):
        s = sum(int(eng[(fy, sid)][4]) for sid in RO3_TOP)
        sub = sum(int(eng[(fy, sid)][4]) for sid in ("cla_residential", "cla_fostering", "cla_asylum", "cla_other"))
        log(f"CHECK ro3 England {fy}: total {int(eng[(fy, 'total')][4]):,} vs sum of 8 top lines {s:,} "
            f"(diff {int(eng[(fy, 'total')][4]) - s:,}); cla_total {int(eng[(fy, 'cla_total')][4]):,} vs "
            f"residential+fostering+asylum+other {sub:,}")
        lasum = sum(int(r[4]) for r in rows if r[1] == fy and r[3] == "total" and r[4] and r[0] != "E92000001")
        log(f"  sum of LA derived totals {lasum:,} = {lasum / int(eng[(fy, 'total')][4]):.4f} of England "
            f"(England includes MHCLG estimates for non-returns)")
    missing = sorted({(r[0], r[1]) for r in rows if r[0] != "E92000001" and r[3] == "cla_total" and not r[4]})
    log(f"ro3 LA returns with empty values (not received '[x]' or '[note 4]'): {len(missing)}: {missing}")


# ---------------------------------------------------------------------------
# 7. workforce
# ---------------------------------------------------------------------------
def build_workforce(ix):
    out = []
    codes = Counter()
    for r in read_csv("dfe_cla_csc_dashboard", "csww_indicators_2017_to_2025.csv"):
        lvl = r["geographic_level"]
        if lvl == "National":
            code = "E92000001"
        elif lvl == "Regional":
            if skip_region(r["region_name"], r["region_code"]):
                continue
            code = r["region_code"]
        else:
            if "/" in r["new_la_code"]:
                code = r["new_la_code"].replace(" ", "").replace("/", "_")
            else:
                code = ix.code(r["new_la_code"], r["old_la_code"], r["la_name"])
        assert code in ix.codes, r
        vals = []
        for k in ("inpost_fte", "agency_rate_fte", "vacancy_rate_fte", "turnover_rate_fte", "caseload_fte"):
            v = r[k].strip()
            if not is_num(v):
                codes[(k, v)] += 1
            vals.append(clean_num(v))
        out.append((code, int(r["time_period"])) + tuple(vals))
    rows = write_csv("workforce.csv", ["area_code", "year", "fte_social_workers", "agency_rate_pct",
                                       "vacancy_rate_pct", "turnover_rate_pct", "average_caseload"], out)
    log(f"workforce: non-numeric source values blanked: {dict(codes)}")
    for r in rows:
        if r[0] == "E92000001":
            log(f"CHECK workforce England {r[1]}: fte {r[2]} agency {r[3]} vacancy {r[4]} turnover {r[5]} caseload {r[6]}")


def check_toml():
    """Cross-check data-backed entries of published-figures.toml against the CSVs just written."""
    import tomllib
    path = os.path.join(SEEDS, "published-figures.toml")
    if not os.path.exists(path):
        return
    with open(path, "rb") as fh:
        figs = tomllib.load(fh)
    def rd(name):
        with open(os.path.join(SEEDS, name), encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    head = {int(r["year"]): r for r in rd("cla_headline.csv") if r["area_code"] == "E92000001"}
    bd = {(r["year"], r["table"], r["dimension"], r["category"]): r["value"]
          for r in rd("cla_breakdowns.csv") if r["area_code"] == "E92000001"}
    checks = {}
    for y, r in head.items():
        checks[f"cla_{y}"] = r["cla_at_31_march"]
        checks[f"cla_starts_{y}"] = r["starts"]
        checks[f"cla_ceased_{y}"] = r["ceased"]
        checks[f"uasc_{y}"] = r["uasc_at_31_march"]
        checks[f"cla_rate_per_10k_{y}"] = r["rate_per_10k"]
    for cat in ("foster", "childrens_home", "independent_living", "with_parents", "placed_for_adoption"):
        checks[f"placement_{cat}_2025"] = bd[("2025", "stock", "placement", cat)]
    checks["placement_childrens_home_2020"] = bd[("2020", "stock", "placement", "childrens_home")]
    checks["placement_other_2024"] = bd[("2024", "stock", "placement", "other")]
    for cat in ("adopted", "special_guardianship", "aged_18_stayed_with_carers", "transferred_to_another_la"):
        checks[f"ceased_{cat}_2025"] = bd[("2025", "ceased", "reason", cat)]
    checks["ceased_returned_home_2025"] = str(int(bd[("2025", "ceased", "reason", "returned_home_planned")]) +
                                              int(bd[("2025", "ceased", "reason", "returned_home_unplanned")]))
    checks["ceased_independent_living_2025"] = str(
        int(bd[("2025", "ceased", "reason", "independent_living_supported")]) +
        int(bd[("2025", "ceased", "reason", "independent_living_unsupported")]))
    bad = [(k, figs[k]["value"], v) for k, v in checks.items() if k in figs and str(figs[k]["value"]) != v]
    log(f"CHECK published-figures.toml vs CSVs: {len([k for k in checks if k in figs])} entries compared, "
        f"mismatches: {bad if bad else 'none'}")


def main():
    if not os.path.isdir(DATA):
        sys.exit(f"data directory not found: {DATA}")
    log(f"source data: {DATA}")
    areas = build_areas()
    ix = AreaIndex(areas)
    lait = parse_lait()
    build_headline(ix, lait)
    build_breakdowns(ix)
    build_population(ix)
    build_s251(ix, lait)
    build_ro3(ix)
    build_workforce(ix)
    check_toml()
    with open(os.path.join(SEEDS, "tools", "check_report.txt"), "w", encoding="utf-8", newline="") as fh:
        fh.write("\n".join(REPORT).replace(DATA, "<DATA_DIR>") + "\n")


if __name__ == "__main__":
    main()

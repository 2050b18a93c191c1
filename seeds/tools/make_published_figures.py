"""Writes seeds/published-figures.toml (hand-curated figures from FACTS.md). Run: python3 seeds/tools/make_published_figures.py"""
out=[]
def q(s): return '"' + s.replace('\\','\\\\').replace('"','\\"') + '"'
def add(id, value=None, unit=None, year=None, fy=None, source="", status="verified", note=None, kind=None, text=None):
    assert year is not None or fy is not None, id
    out.append(f"[{id}]")
    if kind: out.append(f"kind = {q(kind)}")
    if value is not None: out.append(f"value = {value}")
    if unit: out.append(f"unit = {q(unit)}")
    if year is not None: out.append(f"year = {year}")
    if fy: out.append(f"financial_year = {q(fy)}")
    if text: out.append(f"text = {q(text)}")
    out.append(f"source = {q(source)}")
    out.append(f"status = {q(status)}")
    if note: out.append(f"note = {q(note)}")
    out.append("")
def section(t):
    out.append("# " + "-"*70); out.append("# " + t); out.append("# " + "-"*70); out.append("")

DFE = "DfE, Children looked after in England including adoptions"
rel = lambda y: f"{DFE}, {y} release (cla_number_and_rate_per_10k_children.csv, via dfe-analytical-services/CSC_outcomes_and_enablers)"
LAIT = "DfE, Local Authority Interactive Tool (LAIT) big data set, dfe-analytical-services/local-authority-interactive-tool @ 2e30e39 (2026-04-08)"
LAIT15 = "DfE, Local Authority Interactive Tool (LAIT) big data set, vintage 0d8b32e (2025-03-25)"
head = {2015:(69470,31360,31350,2760),2016:(70410,32170,31860,4340),2017:(72610,32940,31400,4700),2018:(75360,32190,30050,4560),
2019:(78140,31780,29570,5150),2020:(80000,31010,29710,5080),2021:(80780,28470,28120,4150),2022:(82090,31100,30230,5680),
2023:(83750,33090,31850,7410),2024:(83530,33130,33780,7440),2025:(81770,32270,34450,6540)}
def src_for(y):
    if y>=2021: return rel(2025)
    if y==2020: return rel(2024)
    if y==2019: return rel(2023)
    return LAIT15 if y==2015 else LAIT
out.append("# Published figures for carecast scenarios and tests.")
out.append("# Built by hand from /work/shared/reference/FACTS.md and checked against the seed CSVs where a data file exists")
out.append("# (see PROVENANCE.md). Years: `year` = year ending 31 March; `financial_year` = April-March.")
out.append("# status: \"verified\" = checked against a data file or primary release text (as FACTS.md records);")
out.append("# \"UNVERIFIED\" = widely quoted, no primary text checked: use only as a labelled assumption.")
out.append("# Money in pounds (gbp), not millions/billions, unless the unit says otherwise.")
out.append("")
section("Children looked after, England: stock at 31 March, flows in year, UASC (latest revision)")
for y,(c,s,ce,u) in head.items():
    n = "Latest revision; 2023 is the peak." if y==2023 else "Latest revision."
    add(f"cla_{y}", c, "children", y, source=src_for(y), note=n + (" Matches seeds/cla_headline.csv." ))
    add(f"cla_starts_{y}", s, "children", y, source=src_for(y), note="Children starting to be looked after in the year ending 31 March.")
    add(f"cla_ceased_{y}", ce, "children", y, source=src_for(y), note="Children ceasing to be looked after in the year ending 31 March.")
    add(f"uasc_{y}", u, "children", y, source=LAIT15 if y==2015 else LAIT, note="Unaccompanied asylum-seeking children looked after at 31 March (LAIT Unacc_Asylmn_Seek_Childn).")
fp = {2010:(64400,"DfE SFR27/2010 (rounded to nearest 100)"),2011:(65520,"DfE SFR21/2011 as reported in press coverage"),
      2012:(67050,"DfE SFR20/2012 as reported in press coverage"),2013:(68110,"DfE SFR36/2013 key points"),2014:(68840,"DfE SFR36/2014 key findings as reported")}
for y,(v,s) in fp.items():
    add(f"cla_{y}_first_published", v, "children", y, source=s, note="First-published headline (not revised); see data/cla_national_timeseries.")
add("cla_2021_first_published", 80850, "children", 2021, source=f"{DFE}, 2021 release (headline as first published)", status="UNVERIFIED",
    note="Not verified against a primary source (cla_national_timeseries PROVENANCE); latest revision is 80,780.")
section("Rate per 10,000 children under 18 (DfE published rate)")
rates={2013:60,2014:60,2015:60,2016:60,2017:62,2018:64,2019:66,2020:68,2021:69,2022:70,2023:70,2024:69,2025:67}
for y,v in rates.items():
    s = "CYP Now (Sep 2017) quoting DfE: rate 'remained at 60 since 2013'" if y<2015 else src_for(y)
    add(f"cla_rate_per_10k_{y}", v, "per_10k_children", y, source=s, note="Denominator: ONS mid-year estimate of the previous June. Rates after 2022 use post-Census-2021 estimates.")
add("cla_rate_per_10k_2025_blackpool", 184, "per_10k_children", 2025, source=rel(2025), note="Highest LA rate in 2025 (Blackpool, E06000009).")
add("cla_rate_per_10k_2025_richmond_upon_thames", 27, "per_10k_children", 2025, source=rel(2025), note="Lowest LA rate in 2025 (Richmond upon Thames, E09000027).")
section("Placements at 31 March and reasons ceased (DfE characteristics tables)")
CH = f"{DFE}, 2025 release: children looked after on 31 March by characteristics (national)"
add("placement_foster_2025", 54820, "children", 2025, source=CH)
add("placement_childrens_home_2025", 9480, "children", 2025, source=CH, note="Secure homes and children's homes.")
add("placement_childrens_home_2020", 7100, "children", 2020, source=CH, note="Secure homes and children's homes; 2020 row of the combined 2020-2025 file.")
add("placement_independent_living_2025", 7520, "children", 2025, source=CH, note="Independent and semi-independent living arrangements / supported accommodation.")
add("placement_with_parents_2025", 4970, "children", 2025, source=CH)
add("placement_placed_for_adoption_2025", 1660, "children", 2025, source=CH)
add("placement_other_2024", 4020, "children", 2024, source=CH,
    note="'Other placements' in 2024 is a reporting artefact: the same 4,020 children had no placement provider reported.")
CE = f"{DFE}, 2025 release: children ceasing to be looked after by reason (national)"
add("ceased_returned_home_2025", 6610, "children", 2025, source=CE, note="Returned home, planned (5,540) plus not planned (1,070).")
add("ceased_adopted_2025", 3040, "children", 2025, source=CE)
add("ceased_special_guardianship_2025", 4110, "children", 2025, source=CE)
add("ceased_aged_18_stayed_with_carers_2025", 6000, "children", 2025, source=CE)
add("ceased_independent_living_2025", 5350, "children", 2025, source=CE, note="Supported (4,220) plus unsupported (1,130) independent living.")
add("ceased_transferred_to_another_la_2025", 2640, "children", 2025, source=CE, note="Care taken by another local authority.")
add("children_in_england_approx", 12000000, "children", 2025, source="News article (FACTS.md seed 003)", status="UNVERIFIED",
    note="'Nearly 12 million children'; rounded. The ONS 0-17 estimate for mid-2024 is 12,183,016.")
add("care_leavers_per_year_approx", 12000, "children", 2025, source="News article (FACTS.md seed 003)", status="UNVERIFIED",
    note="'About 12,000 leave care each year'; rounded, no primary check. LAIT NoCareLeavers (aged 19-21, three birth cohorts) is 38,190 for 2025.")
section("Population (ONS mid-year estimates, children aged 0-17, England)")
POP = "ONS mid-year population estimates, 0-17, as prepared by DfE (ons_mid-year_population_estimates_2012_to_2024.csv)"
add("population_0_17_mid_2012", 11403970, "children", 2012, source=POP, note="mid_year 2012 (30 June); 'year' here is the mid-year, not a March year.")
add("population_0_17_mid_2024", 12183016, "children", 2024, source=POP, note="mid_year 2024 (30 June); denominator for the 31 March 2025 rate.")
section("Spending: S251 outturn (DfE, via LAIT), gross, England")
S251 = "DfE, Section 251 outturn (LA and school expenditure), via LAIT"
for fy,v,ex in [("2015-16",3.94e9,3941586826),("2019-20",5.28e9,5278063831),("2021-22",6.13e9,6127411318),("2022-23",7.03e9,7031937751),("2023-24",8.14e9,8139343017),("2024-25",8.96e9,8955421269)]:
    add(f"s251_cla_spend_{fy.replace('-','_')}", int(v), "gbp", fy=fy, source=S251, note=f"Gross spend on children looked after (TotalLACFinance), rounded as published in FACTS.md; exact LAIT value {ex:,}.")
add("s251_children_young_people_total_2015_16", 9010000000, "gbp", fy="2015-16", source=S251, note="All children's and young people's services (C&YPExpenditure); exact 9,012,317,385. Includes the CLA total (see PROVENANCE.md).")
add("s251_children_young_people_total_2024_25", 16010000000, "gbp", fy="2024-25", source=S251, note="All children's and young people's services (C&YPExpenditure); exact 16,012,355,892. Includes the CLA total (see PROVENANCE.md).")
for name, vals in [("all_cla",(1075,1265,2100)),("residential",(3240,4165,7385)),("fostering",(580,600,765))]:
    for fy,v in zip(("2015-16","2019-20","2024-25"),vals):
        add(f"s251_weekly_cost_{name}_{fy.replace('-','_')}", v, "gbp_per_week", fy=fy, source=S251+" (weekly unit cost per child, rounded to 5)")
section("Spending: RO3 revenue outturn 2024-25 (MHCLG), gross total expenditure, England")
RO3 = "MHCLG, Local authority revenue expenditure and financing: Revenue Outturn RO3 2024-25 (published 4 Dec 2025), Table 1a"
for k,v,n in [("cla",8.92e9,"Children looked after [line 13]"),("cla_residential",3.81e9,"of which residential care [16]"),("cla_fostering",2.16e9,"of which fostering services [17]"),
              ("cla_asylum",0.32e9,"of which asylum-seeking children looked after [18]"),("cla_other",2.62e9,"of which other [19]"),("total",16.88e9,"Total children's social care [30]")]:
    add(f"ro3_{k}_2024_25", int(round(v)), "gbp", fy="2024-25", source=RO3, note=n + "; rounded as in FACTS.md. England includes MHCLG estimates for non-returning councils.")
section("Budgets (DfE/MHCLG budget returns as reported by Community Care; no data file bundled)")
BUD = "Community Care reporting of DfE/MHCLG council budget returns, 2025-26"
add("budget_csc_2025_26", 15500000000, "gbp", fy="2025-26", source=BUD, note="Planned council spend on children's social care.")
add("budget_csc_increase_2025_26", 1000000000, "gbp", fy="2025-26", source=BUD, note="Increase on 2024-25 budget; 7.1% in real terms.")
add("budget_csc_real_increase_pct_2025_26", 7.1, "percent", fy="2025-26", source=BUD, note="Real-terms increase on the 2024-25 budget.")
add("budget_cla_increase_2025_26", 732000000, "gbp", fy="2025-26", source=BUD, note="Part of the ~1bn increase attributed to children looked after.")
add("budget_csc_2024_25", 14100000000, "gbp", fy="2024-25", source=BUD, note="2024-25 budget; outturn came in higher.")
section("Prices")
CMA = "Competition and Markets Authority, Children's social care market study, interim report (2021)"
add("cma_childrens_home_weekly_price", 3830, "gbp_per_week", fy="2020-21", source=CMA, note="Average weekly price of a children's home placement; average operating margin 23%.")
add("cma_childrens_home_margin_pct", 23, "percent", fy="2020-21", source=CMA)
add("cma_ifa_weekly_price", 820, "gbp_per_week", fy="2020-21", source=CMA, note="Independent fostering agency placement, about; average margin 19%.")
add("cma_ifa_margin_pct", 19, "percent", fy="2020-21", source=CMA)
NMA = "DfE, foster carer national minimum allowance uplifts"
add("nma_uplift_2023_24", 12.43, "percent", fy="2023-24", source=NMA + " (announced in Stable Homes, Built on Love, Feb 2023)")
add("nma_uplift_2024_25", 6.88, "percent", fy="2024-25", source=NMA)
add("nma_uplift_2025_26", 3.55, "percent", fy="2025-26", source=NMA)
section("Workforce (DfE Children's social work workforce; 30 September snapshot, 'year' = snapshot year)")
WF = "DfE, Children's social work workforce (csww_indicators_2017_to_2025.csv)"
add("workforce_fte_2017", 28483, "social_workers", 2017, source=WF, note="FTE children and family social workers at 30 September 2017 (28,482.6 in the file).")
add("workforce_fte_2025", 36186, "social_workers", 2025, source=WF, note="FTE at 30 September 2025 (36,186.3 in the file).")
add("workforce_agency_rate_2023", 17.9, "percent", 2023, source=WF, note="Agency worker rate (FTE), peak, 30 September 2023.")
add("workforce_agency_rate_2025", 13.0, "percent", 2025, source=WF, note="30 September 2025.")
add("workforce_vacancy_rate_2022", 20.0, "percent", 2022, source=WF, note="Vacancy rate (FTE), peak, 30 September 2022.")
add("workforce_vacancy_rate_2025", 14.2, "percent", 2025, source=WF, note="30 September 2025.")
add("workforce_caseload_2025", 15.2, "ratio", 2025, source=WF, note="Average cases per case-holding FTE social worker, 30 September 2025.")
section("Projections: County Councils Network with Newton Europe")
CCN = "County Councils Network and Newton Europe, The Future of Children's Social Care (March 2022; first figures November 2021)"
CCNN = "FACTS.md: growth and cost assumptions are not public (UNVERIFIED); use as a labelled assumption / back-test target (outturn 81,770 in 2025)."
add("ccn_cla_projection_2025", 95000, "children", 2025, source=CCN, status="UNVERIFIED", note="Children in care by the end of (calendar) 2025 under current trends; headlines said 'almost 100,000'. " + CCNN)
add("ccn_cla_baseline_2015", 69000, "children", 2015, source=CCN, status="UNVERIFIED", note="'About 69,000' in 2015. " + CCNN)
add("ccn_cla_baseline_2020", 80000, "children", 2020, source=CCN, status="UNVERIFIED", note="About 80,000 in 2020. " + CCNN)
add("ccn_spend_increase_2025_vs_2020", 2100000000, "gbp", 2025, source=CCN, status="UNVERIFIED", note="Spending on children in care 2.1bn higher in 2025 than 2020. " + CCNN)
add("ccn_spend_increase_2025_vs_2015", 3600000000, "gbp", 2025, source="County Councils Network and Newton Europe (November 2021)", status="UNVERIFIED", note="3.6bn a year more in 2025 than in 2015. " + CCNN)
add("ccn_optimised_mitigation_pct", 96, "percent", 2025, source=CCN, status="UNVERIFIED", note="'Optimised model' could mitigate up to 96% of the projected growth. " + CCNN)
add("ccn_edge_of_care_annual_spend", 205000000, "gbp", 2025, source=CCN, status="UNVERIFIED", note="Per year on edge-of-care services in the optimised model. " + CCNN)
add("ccn_avoidable_care_pct", 39, "percent", 2022, source=CCN, status="UNVERIFIED", note="Case reviews: up to 39% of children could have avoided care. " + CCNN)
section("Independent Review of Children's Social Care (Josh MacAlister, May 2022) and Alma Economics")
MAC = "Independent Review of Children's Social Care, final report (May 2022)"
add("macalister_total_new_spending", 2600000000, "gbp", fy="2022-23", source=MAC, note="financial_year = publication year. Headline: 2.6bn of new spending over four years (some outlets say five); the phasing below adds to 2.52bn.")
for i,v in enumerate((46e6,987e6,1257e6,233e6),1):
    add(f"macalister_phase_year{i}", int(v), "gbp", fy="2022-23", source=MAC, note=f"Phasing, year {i} of the review's four-year spending profile (46m, 987m, 1,257m, 233m); financial_year is the year of publication, the calendar of the plan years is not given.")
add("macalister_family_help", 2000000000, "gbp", fy="2022-23", source=MAC, note="Roughly 2bn of the package for Family Help; financial_year = publication year.")
add("macalister_workforce", 253000000, "gbp", fy="2022-23", source=MAC, note="Over five years for social worker recruitment and retention; financial_year = publication year.")
add("macalister_do_nothing_cla_2032", 100000, "children", 2032, source=MAC, note="'Do nothing': approaching 100,000 children in care by about 2032 (from about 80,000).")
add("macalister_do_nothing_cost_2032", 15000000000, "gbp", 2032, source=MAC, note="'Do nothing': system costing over 15bn a year by about 2032 (from about 10bn).")
add("macalister_baseline_cla", 80000, "children", 2022, source=MAC, note="Starting point of the do-nothing projection.")
add("macalister_baseline_cost", 10000000000, "gbp", 2022, source=MAC, note="Starting point of the do-nothing projection (annual cost).")
ALMA = "Alma Economics for DfE (2023), cost of delaying children's social care reform"
add("alma_delay_extra_cla_2027_28", 10500, "children", fy="2027-28", source=ALMA, note="Two-year delay in reform: 10,500 more children in care by 2027-28.")
add("alma_delay_cost_10yr", 1000000000, "gbp", fy="2023-24", source=ALMA, note="Cost of a two-year delay, summed over 10 years; financial_year = approximate publication year (2023).")
section("DfE Stable Homes, Built on Love (February 2023)")
SH = "DfE, Stable Homes, Built on Love: implementation strategy and consultation (February 2023)"
add("stable_homes_total", 200000000, "gbp", fy="2023-24", source=SH, note="Over 2023-24 and 2024-25.")
add("stable_homes_families_first", 45000000, "gbp", fy="2023-24", source=SH, note="Families First for Children pathfinder pilots in 12 local areas.")
add("stable_homes_families_first_areas", 12, "count", fy="2023-24", source=SH)
add("stable_homes_family_finding", 30000000, "gbp", fy="2023-24", source=SH, note="Family finding, befriending and mentoring.")
add("stable_homes_kinship_training", 9000000, "gbp", fy="2023-24", source=SH, note="Kinship carer training and support.")
add("stable_homes_fostering", 25000000, "gbp", fy="2023-24", source=SH, note="Foster carer recruitment and retention.")
add("stable_homes_nma_uplift", 12.43, "percent", fy="2023-24", source=SH, note="National minimum allowance uplift (same as nma_uplift_2023_24).")
add("setting_up_home_allowance_before", 2000, "gbp", fy="2022-23", source=SH, note="Care leavers' setting-up-home allowance before April 2023.")
add("setting_up_home_allowance_after", 3000, "gbp", fy="2023-24", source=SH, note="From April 2023.")
add("apprenticeship_bursary_before", 1000, "gbp", fy="2022-23", source=SH, note="Care leaver apprenticeship bursary before the change.")
add("apprenticeship_bursary_after", 3000, "gbp", fy="2023-24", source=SH)
add("social_worker_apprentices", 500, "social_workers", fy="2023-24", source=SH, note="Up to 500 child and family social worker apprentices.")
section("Spending Review 2025 and Local Government Association")
SR = "HM Treasury / DfE, Spending Review (June 2025)"
add("sr2025_transformation_fund", 555000000, "gbp", fy="2025-26", source=SR, note="Additional over 2025-28 through a children's social care transformation fund.")
add("sr2025_fostering", 25000000, "gbp", fy="2025-26", source=SR, note="Additional for fostering.")
LGA = "Local Government Association (June 2024), funding gap analysis"
add("lga_funding_gap_two_years", 6200000000, "gbp", fy="2025-26", source=LGA, note="All council services over 2025-26 and 2026-27; children's services a key driver.")
add("lga_funding_gap_2025_26", 2300000000, "gbp", fy="2025-26", source=LGA)
add("lga_funding_gap_2026_27", 3900000000, "gbp", fy="2026-27", source=LGA)
section("General Election 2024 manifesto pledges (text only; FACTS.md seed 000)")
GE = "Party manifestos, UK General Election 4 July 2024"
add("pledge_conservative_2024", kind="pledge", year=2025, source="Conservative Party manifesto 2024", text="More children's home places; a kinship care strategy; support for care leavers with mentoring, housing, education and employment.", note="Paraphrased summary; year = year ending 31 March in which the election fell.")
add("pledge_labour_2024", kind="pledge", year=2025, source="Labour Party manifesto 2024", text="Support kinship care, foster care and adoption; stronger regulation of placement providers; a single unique identifier for children to improve data sharing.", note="Paraphrased summary.")
add("pledge_libdem_2024", kind="pledge", year=2025, source="Liberal Democrats manifesto 2024", text="A statutory definition of kinship care and a weekly allowance for all kinship carers; a social care workforce plan; a young carers pupil premium; care experience as a protected characteristic.", note="Paraphrased summary.")
open(__import__('os').path.join(__import__('os').path.dirname(__import__('os').path.abspath(__file__)), '..', 'published-figures.toml'),'w').write("\n".join(out).rstrip()+"\n")

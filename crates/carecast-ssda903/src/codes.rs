//! SSDA903 code lists (by collection year) and the two mappings the engine
//! uses: placement code -> placement group, reason episode ceased -> exit reason
//! group. Each mapping is one table so it can be read and tested at a glance.
//!
//! This is not a validator for the whole return: only the Episodes and Header
//! codes that matter for a population model are here.
//!
//! Collection year `Y` means the return for the year ending 31 March `Y`
//! (DfE's "2024 to 2025" collection is `2025`), as in the liia schema files
//! (`SSDA903_schema_2025.diff.yml` adds K3 and drops H5/P2).

use serde::Serialize;
use std::fmt;

/// Placement groups the engine models.
///
/// Which PLACE codes go where (see [`PLACE_CODES`] for the full table):
/// - `foster_kinship`: U1, U2, U3 (foster placement with a relative or friend).
/// - `foster_in_house`: U4, U5, U6 with PLACE_PROVIDER PR1 (own LA), PR2 (other LA)
///   or PR3 (other public sector).
/// - `foster_agency`: U4, U5, U6 with PLACE_PROVIDER PR4 (private) or PR5
///   (voluntary): independent fostering agencies.
/// - `childrens_home`: K1 (secure children's home), K2 (children's home).
///   No other children's home code exists in the 2017-2026 schemas.
/// - `independent_living`: H5 (semi-independent living, to 2023-24), P2
///   (independent living, to 2023-24), K3 (supported accommodation, from
///   2024-25), P3 (residential employment).
/// - `with_parents`: P1 (placed with parents or others with parental responsibility).
/// - `placed_for_adoption`: A3, A4, A5, A6, and the pre-2017 A1, A2.
/// - `other_residential`: R1 (residential care home), R2 (NHS/health
///   establishment), R5 (young offender institution or prison).
/// - `residential_school`: S1 (residential school).
/// - `other`: R3 (family centre or mother-and-baby unit), T0-T4 (temporary
///   placements), Z1 (other), Z11-Z14 (other, split from Z1 in 2025-26).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlacementGroup {
    /// Foster care with a relative or friend (U1-U3).
    FosterKinship,
    /// Other foster care provided by a local authority or public body (U4-U6, PR1-PR3).
    FosterInHouse,
    /// Other foster care through a private or voluntary agency (U4-U6, PR4-PR5).
    FosterAgency,
    /// Children's homes, secure or not (K1, K2).
    ChildrensHome,
    /// Independent, semi-independent living and supported accommodation (H5, P2, P3, K3).
    IndependentLiving,
    /// Placed with parents (P1).
    WithParents,
    /// Placed for adoption (A1-A6).
    PlacedForAdoption,
    /// Residential care homes, NHS/health settings, custody (R1, R2, R5).
    OtherResidential,
    /// Residential schools (S1).
    ResidentialSchool,
    /// Everything else (R3, T0-T4, Z1, Z11-Z14).
    Other,
}

impl PlacementGroup {
    /// All groups, in output order.
    pub const ALL: [PlacementGroup; 10] = [
        PlacementGroup::FosterKinship,
        PlacementGroup::FosterInHouse,
        PlacementGroup::FosterAgency,
        PlacementGroup::ChildrensHome,
        PlacementGroup::IndependentLiving,
        PlacementGroup::WithParents,
        PlacementGroup::PlacedForAdoption,
        PlacementGroup::OtherResidential,
        PlacementGroup::ResidentialSchool,
        PlacementGroup::Other,
    ];

    /// The engine's snake_case id, e.g. `foster_agency`.
    pub fn id(self) -> &'static str {
        match self {
            PlacementGroup::FosterKinship => "foster_kinship",
            PlacementGroup::FosterInHouse => "foster_in_house",
            PlacementGroup::FosterAgency => "foster_agency",
            PlacementGroup::ChildrensHome => "childrens_home",
            PlacementGroup::IndependentLiving => "independent_living",
            PlacementGroup::WithParents => "with_parents",
            PlacementGroup::PlacedForAdoption => "placed_for_adoption",
            PlacementGroup::OtherResidential => "other_residential",
            PlacementGroup::ResidentialSchool => "residential_school",
            PlacementGroup::Other => "other",
        }
    }

    /// Position in [`PlacementGroup::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The group with this id.
    pub fn from_id(id: &str) -> Option<PlacementGroup> {
        PlacementGroup::ALL.into_iter().find(|g| g.id() == id)
    }
}

impl fmt::Display for PlacementGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// How a PLACE code maps to a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceMapping {
    /// Always this group.
    Fixed(PlacementGroup),
    /// Foster care with a non-relative: in-house (PR1-PR3) or agency (PR4-PR5),
    /// decided by PLACE_PROVIDER.
    FosterByProvider,
}

/// One row of the PLACE code table.
#[derive(Debug, Clone, Copy)]
pub struct PlaceCode {
    /// The code as submitted.
    pub code: &'static str,
    /// Where it goes.
    pub mapping: PlaceMapping,
    /// First collection year whose code list has it (`None`: before 2017 or always).
    pub first_year: Option<u16>,
    /// Last collection year whose code list has it (`None`: still current).
    pub last_year: Option<u16>,
    /// Short description.
    pub description: &'static str,
}

use PlaceMapping::{Fixed, FosterByProvider};
use PlacementGroup as G;

/// Every SSDA903 PLACE code and its group. Years are collection years.
pub const PLACE_CODES: &[PlaceCode] = &[
    pc("U1", Fixed(G::FosterKinship), None, None, "foster, relative/friend, long term"),
    pc("U2", Fixed(G::FosterKinship), None, None, "foster, relative/friend, FFA/concurrent"),
    pc("U3", Fixed(G::FosterKinship), None, None, "foster, relative/friend, other"),
    pc("U4", FosterByProvider, None, None, "foster, other carer, long term"),
    pc("U5", FosterByProvider, None, None, "foster, other carer, FFA/concurrent"),
    pc("U6", FosterByProvider, None, None, "foster, other carer, other"),
    pc("K1", Fixed(G::ChildrensHome), None, None, "secure children's home"),
    pc("K2", Fixed(G::ChildrensHome), None, None, "children's home"),
    pc("H5", Fixed(G::IndependentLiving), None, Some(2024), "semi-independent living"),
    pc("P2", Fixed(G::IndependentLiving), None, Some(2024), "independent living"),
    pc("K3", Fixed(G::IndependentLiving), Some(2025), None, "supported accommodation"),
    pc("P3", Fixed(G::IndependentLiving), None, None, "residential employment"),
    pc("P1", Fixed(G::WithParents), None, None, "placed with parents"),
    pc("A1", Fixed(G::PlacedForAdoption), None, Some(2016), "placed for adoption (pre-2017 code)"),
    pc("A2", Fixed(G::PlacedForAdoption), None, Some(2016), "placed for adoption (pre-2017 code)"),
    pc("A3", Fixed(G::PlacedForAdoption), None, None, "placed for adoption, consent, current foster carer"),
    pc("A4", Fixed(G::PlacedForAdoption), None, None, "placed for adoption, consent, not current foster carer"),
    pc("A5", Fixed(G::PlacedForAdoption), None, None, "placed for adoption, placement order, current foster carer"),
    pc("A6", Fixed(G::PlacedForAdoption), None, None, "placed for adoption, placement order, not current foster carer"),
    pc("R1", Fixed(G::OtherResidential), None, None, "residential care home"),
    pc("R2", Fixed(G::OtherResidential), None, None, "NHS/health establishment"),
    pc("R5", Fixed(G::OtherResidential), None, None, "young offender institution or prison"),
    pc("S1", Fixed(G::ResidentialSchool), None, None, "residential school"),
    pc("R3", Fixed(G::Other), None, None, "family centre or mother and baby unit"),
    pc("T0", Fixed(G::Other), None, None, "temporary move"),
    pc("T1", Fixed(G::Other), None, None, "temporary move"),
    pc("T2", Fixed(G::Other), None, None, "temporary move"),
    pc("T3", Fixed(G::Other), None, None, "temporary move"),
    pc("T4", Fixed(G::Other), None, None, "temporary move"),
    pc("Z1", Fixed(G::Other), None, None, "other placement"),
    pc("Z11", Fixed(G::Other), Some(2026), None, "other placement (2025-26 split of Z1)"),
    pc("Z12", Fixed(G::Other), Some(2026), None, "other placement (2025-26 split of Z1)"),
    pc("Z13", Fixed(G::Other), Some(2026), None, "other placement (2025-26 split of Z1)"),
    pc("Z14", Fixed(G::Other), Some(2026), None, "other placement (2025-26 split of Z1)"),
];

const fn pc(
    code: &'static str,
    mapping: PlaceMapping,
    first_year: Option<u16>,
    last_year: Option<u16>,
    description: &'static str,
) -> PlaceCode {
    PlaceCode { code, mapping, first_year, last_year, description }
}

/// PLACE_PROVIDER codes. `in_house` is `Some(true)` for PR1-PR3, `Some(false)`
/// for PR4-PR5 and `None` for PR0 (parents), which cannot provide foster care.
pub const PROVIDER_CODES: &[(&str, Option<bool>, &str)] = &[
    ("PR0", None, "parent(s) or other person with parental responsibility"),
    ("PR1", Some(true), "own local authority"),
    ("PR2", Some(true), "other local authority"),
    ("PR3", Some(true), "other public sector"),
    ("PR4", Some(false), "private provider"),
    ("PR5", Some(false), "voluntary/third sector provider"),
];

/// Exit reason groups the engine models.
///
/// Which REC codes go where (see [`REC_CODES`]):
/// - `not_an_exit`: X1 (a new episode starts the same day: change of placement
///   or legal status within one period of care).
/// - `returned_home`: E4A, E4B (returned home to parents/relatives, in or not in
///   the care plan), E13 (left to live with parents, relatives or others with no
///   parental responsibility).
/// - `adoption`: E11, E12 (adopted).
/// - `special_guardianship`: E41 (residence / child arrangements order), E43,
///   E44 (special guardianship, to 2017-18), E45, E46, E47, E48 (special
///   guardianship, from 2018-19).
/// - `reached_18`: any exit with the child aged 18 or over on DEC, whatever REC.
/// - `other`: E2 (died), E3 (care taken over by another LA), E5, E6
///   (independent living), E7 (adult social care), E8 (other), E9 (custody),
///   E14 (remand ended), E15 (age assessment found 18+), E16 (moved abroad),
///   E17 (aged 18+ and stayed with carers, when the DOB says under 18).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonGroup {
    /// Returned home to parents or relatives.
    ReturnedHome,
    /// Adopted.
    Adoption,
    /// Special guardianship or child arrangements (residence) order.
    SpecialGuardianship,
    /// Left care aged 18 or over.
    Reached18,
    /// Any other exit.
    Other,
    /// X1: not an exit.
    NotAnExit,
}

impl ReasonGroup {
    /// The exit groups (everything except `not_an_exit`), in output order.
    pub const EXITS: [ReasonGroup; 5] = [
        ReasonGroup::ReturnedHome,
        ReasonGroup::Adoption,
        ReasonGroup::SpecialGuardianship,
        ReasonGroup::Reached18,
        ReasonGroup::Other,
    ];

    /// The engine's snake_case id.
    pub fn id(self) -> &'static str {
        match self {
            ReasonGroup::ReturnedHome => "returned_home",
            ReasonGroup::Adoption => "adoption",
            ReasonGroup::SpecialGuardianship => "special_guardianship",
            ReasonGroup::Reached18 => "reached_18",
            ReasonGroup::Other => "other",
            ReasonGroup::NotAnExit => "not_an_exit",
        }
    }

    /// Position in [`ReasonGroup::EXITS`] (`not_an_exit` has none).
    pub fn exit_index(self) -> Option<usize> {
        ReasonGroup::EXITS.iter().position(|&r| r == self)
    }
}

impl fmt::Display for ReasonGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One row of the REC code table.
#[derive(Debug, Clone, Copy)]
pub struct RecCode {
    /// The code as submitted.
    pub code: &'static str,
    /// Its group when the child is under 18 on DEC (18+ is always `reached_18`).
    pub group: ReasonGroup,
    /// First collection year whose code list has it.
    pub first_year: Option<u16>,
    /// Last collection year whose code list has it.
    pub last_year: Option<u16>,
    /// Short description.
    pub description: &'static str,
}

use ReasonGroup as R;

/// Every SSDA903 REC code and its reason group (for a child under 18 on DEC).
pub const REC_CODES: &[RecCode] = &[
    rc("X1", R::NotAnExit, None, None, "episode ceases, new episode begins same day"),
    rc("E11", R::Adoption, None, None, "adopted, application unopposed"),
    rc("E12", R::Adoption, None, None, "adopted, application opposed"),
    rc("E4A", R::ReturnedHome, None, None, "returned home, part of care plan"),
    rc("E4B", R::ReturnedHome, None, None, "returned home, not part of care plan"),
    rc("E13", R::ReturnedHome, None, None, "left to live with parents/relatives without PR"),
    rc("E41", R::SpecialGuardianship, None, None, "residence / child arrangements order"),
    rc("E43", R::SpecialGuardianship, None, Some(2018), "special guardianship order, former foster carers"),
    rc("E44", R::SpecialGuardianship, None, Some(2018), "special guardianship order, other"),
    rc("E45", R::SpecialGuardianship, Some(2019), None, "SGO, former foster carers"),
    rc("E46", R::SpecialGuardianship, Some(2019), None, "SGO, other than former foster carers"),
    rc("E47", R::SpecialGuardianship, Some(2019), None, "SGO, relatives or friends, former foster carers"),
    rc("E48", R::SpecialGuardianship, Some(2019), None, "SGO, relatives or friends, other"),
    rc("E2", R::Other, None, None, "died"),
    rc("E3", R::Other, None, None, "care taken over by another LA"),
    rc("E5", R::Other, None, None, "moved to independent living with support"),
    rc("E6", R::Other, None, None, "moved to independent living without support"),
    rc("E7", R::Other, None, None, "transferred to adult social care"),
    rc("E8", R::Other, None, None, "any other reason"),
    rc("E9", R::Other, None, None, "sentenced to custody"),
    rc("E14", R::Other, None, None, "accommodation on remand ended"),
    rc("E15", R::Other, None, None, "age assessment found 18 or over"),
    rc("E16", R::Other, None, None, "moved abroad"),
    rc("E17", R::Other, None, None, "aged 18+, stayed with carers (staying put)"),
];

const fn rc(
    code: &'static str,
    group: ReasonGroup,
    first_year: Option<u16>,
    last_year: Option<u16>,
    description: &'static str,
) -> RecCode {
    RecCode { code, group, first_year, last_year, description }
}

/// Legal status codes and whether each is a short break (left out of the
/// population model by default).
pub const LS_CODES: &[(&str, bool)] = &[
    ("C1", false),
    ("C2", false),
    ("D1", false),
    ("E1", false),
    ("V2", false),
    ("V3", true),
    ("V4", true),
    ("L1", false),
    ("L2", false),
    ("L3", false),
    ("J1", false),
    ("J2", false),
    ("J3", false),
];

/// Reason for new episode codes. Only `S` starts a period of care.
pub const RNE_CODES: &[&str] = &["S", "L", "P", "T", "B", "U"];

/// SEX codes: `1`/`2` to 2023-24, `M`/`F`/`U` from 2024-25.
pub const SEX_CODES: &[(&str, Option<u16>, Option<u16>)] = &[
    ("1", None, Some(2024)),
    ("2", None, Some(2024)),
    ("M", Some(2025), None),
    ("F", Some(2025), None),
    ("U", Some(2025), None),
];

/// Whether a code with this year range is in the list for `year`
/// (`None`: year unknown, so any year's list is accepted).
pub fn in_year(first: Option<u16>, last: Option<u16>, year: Option<u16>) -> bool {
    match year {
        None => true,
        Some(y) => first.is_none_or(|f| y >= f) && last.is_none_or(|l| y <= l),
    }
}

/// Compare a submitted value with a code, ignoring ASCII case.
pub(crate) fn code_eq(value: &[u8], code: &str) -> bool {
    value.eq_ignore_ascii_case(code.as_bytes())
}

/// Index into [`PLACE_CODES`].
pub(crate) fn place_index(value: &[u8]) -> Option<u8> {
    PLACE_CODES.iter().position(|p| code_eq(value, p.code)).and_then(|i| u8::try_from(i).ok())
}

/// Index into [`REC_CODES`].
pub(crate) fn rec_index(value: &[u8]) -> Option<u8> {
    REC_CODES.iter().position(|p| code_eq(value, p.code)).and_then(|i| u8::try_from(i).ok())
}

/// Provider: `Some(Some(in_house))`, `Some(None)` for PR0, `None` if unknown.
pub(crate) fn provider_in_house(value: &[u8]) -> Option<Option<bool>> {
    PROVIDER_CODES.iter().find(|p| code_eq(value, p.0)).map(|p| p.1)
}

/// Group of a PLACE code and provider (`in_house` from [`PROVIDER_CODES`]).
/// `None` for U4-U6 without a usable provider.
pub fn placement_group(place: &PlaceCode, in_house: Option<bool>) -> Option<PlacementGroup> {
    match place.mapping {
        PlaceMapping::Fixed(g) => Some(g),
        PlaceMapping::FosterByProvider => match in_house {
            Some(true) => Some(PlacementGroup::FosterInHouse),
            Some(false) => Some(PlacementGroup::FosterAgency),
            None => None,
        },
    }
}

/// Group of a PLACE code and PLACE_PROVIDER code given as text, e.g.
/// `("U4", "PR4") -> foster_agency`. `None` for unknown codes or U4-U6
/// without PR1-PR5.
pub fn placement_group_of(place: &str, provider: &str) -> Option<PlacementGroup> {
    let p = &PLACE_CODES[usize::from(place_index(place.as_bytes())?)];
    let in_house = provider_in_house(provider.as_bytes()).flatten();
    placement_group(p, in_house)
}

/// Reason group of a REC code for a child of `age_years_on_dec` on DEC:
/// `reached_18` for any exit at 18 or over, `not_an_exit` for X1.
/// `None` for an unknown code.
pub fn reason_group_of(rec: &str, age_years_on_dec: i32) -> Option<ReasonGroup> {
    let r = &REC_CODES[usize::from(rec_index(rec.as_bytes())?)];
    Some(reason_group(r.group, age_years_on_dec))
}

pub(crate) fn reason_group(group: ReasonGroup, age_years_on_dec: i32) -> ReasonGroup {
    if group != ReasonGroup::NotAnExit && age_years_on_dec >= 18 { ReasonGroup::Reached18 } else { group }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_2017_to_2026_place_code_is_mapped() {
        // Code lists from the liia schemas: 2017 base, 2025 and 2026 diffs.
        let base = "A3 A4 A5 A6 H5 K1 K2 P1 P2 P3 R1 R2 R3 R5 S1 T0 T1 T2 T3 T4 U1 U2 U3 U4 U5 U6 Z1";
        let y2025 = "A3 A4 A5 A6 K1 K2 K3 P1 P3 R1 R2 R3 R5 S1 T0 T1 T2 T3 T4 U1 U2 U3 U4 U5 U6 Z1";
        let y2026 = "A3 A4 A5 A6 K1 K2 K3 P1 P3 R1 R2 R3 R5 S1 T0 T1 T2 T3 T4 U1 U2 U3 U4 U5 U6 Z1 Z11 Z12 Z13 Z14";
        for (year, list) in [(2017u16, base), (2024, base), (2025, y2025), (2026, y2026)] {
            for code in list.split(' ') {
                let i = place_index(code.as_bytes()).expect(code);
                let p = &PLACE_CODES[usize::from(i)];
                assert!(in_year(p.first_year, p.last_year, Some(year)), "{code} {year}");
            }
            // And nothing valid in a year is missing from the list.
            for p in PLACE_CODES {
                if in_year(p.first_year, p.last_year, Some(year))
                    && !p.code.starts_with("A1")
                    && !p.code.starts_with("A2")
                {
                    assert!(list.split(' ').any(|c| c == p.code), "{} {year}", p.code);
                }
            }
        }
    }

    #[test]
    fn placement_mapping_table() {
        let cases = [
            ("U1", "PR1", Some("foster_kinship")),
            ("U3", "PR4", Some("foster_kinship")),
            ("U4", "PR1", Some("foster_in_house")),
            ("U5", "PR2", Some("foster_in_house")),
            ("U6", "PR3", Some("foster_in_house")),
            ("U4", "PR4", Some("foster_agency")),
            ("U6", "PR5", Some("foster_agency")),
            ("U4", "PR0", None),
            ("U4", "", None),
            ("K1", "PR1", Some("childrens_home")),
            ("K2", "PR4", Some("childrens_home")),
            ("K3", "PR4", Some("independent_living")),
            ("H5", "PR4", Some("independent_living")),
            ("P2", "PR4", Some("independent_living")),
            ("P3", "", Some("independent_living")),
            ("P1", "PR0", Some("with_parents")),
            ("A1", "", Some("placed_for_adoption")),
            ("A6", "PR1", Some("placed_for_adoption")),
            ("R1", "PR4", Some("other_residential")),
            ("R2", "PR3", Some("other_residential")),
            ("R5", "PR3", Some("other_residential")),
            ("S1", "PR4", Some("residential_school")),
            ("R3", "PR4", Some("other")),
            ("T2", "", Some("other")),
            ("Z1", "", Some("other")),
            ("Z14", "", Some("other")),
            ("k2", "pr1", Some("childrens_home")),
            ("Q9", "PR1", None),
        ];
        for (place, provider, want) in cases {
            assert_eq!(placement_group_of(place, provider).map(PlacementGroup::id), want, "{place} {provider}");
        }
    }

    #[test]
    fn reason_mapping_table() {
        let cases = [
            ("X1", 17, "not_an_exit"),
            ("X1", 18, "not_an_exit"),
            ("E11", 3, "adoption"),
            ("E12", 3, "adoption"),
            ("E4A", 9, "returned_home"),
            ("E4B", 9, "returned_home"),
            ("E13", 9, "returned_home"),
            ("E41", 9, "special_guardianship"),
            ("E43", 9, "special_guardianship"),
            ("E44", 9, "special_guardianship"),
            ("E45", 9, "special_guardianship"),
            ("E48", 9, "special_guardianship"),
            ("E2", 9, "other"),
            ("E3", 9, "other"),
            ("E5", 17, "other"),
            ("E8", 9, "other"),
            ("E15", 16, "other"),
            ("E17", 17, "other"),
            ("E17", 18, "reached_18"),
            ("E4A", 18, "reached_18"),
            ("E11", 19, "reached_18"),
        ];
        for (rec, age, want) in cases {
            assert_eq!(reason_group_of(rec, age).map(ReasonGroup::id), Some(want), "{rec} {age}");
        }
        assert_eq!(reason_group_of("E99", 5), None);
    }
}

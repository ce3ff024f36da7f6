//! The dimensions a search filters on and counts facets for: one list shared by the request
//! parser (which reads each term dimension's query parameter), the index (which stores each
//! term dimension in a fast field of the same name) and the facet collector.

/// One search dimension. Term dimensions filter on exact values (any of a list) and count each
/// value; range dimensions filter on numeric bounds and count fixed buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimension {
    CancerCondition,
    Modality,
    BodyPart,
    Manufacturer,
    Country,
    Publisher,
    AccessRights,
    HealthCategory,
    DuoPermission,
    TrustedHolder,
    Subjects,
    AgeGroup,
    AcquisitionDecade,
}

impl Dimension {
    /// Every dimension, term dimensions first.
    pub const ALL: [Dimension; 13] = [
        Self::CancerCondition,
        Self::Modality,
        Self::BodyPart,
        Self::Manufacturer,
        Self::Country,
        Self::Publisher,
        Self::AccessRights,
        Self::HealthCategory,
        Self::DuoPermission,
        Self::TrustedHolder,
        Self::Subjects,
        Self::AgeGroup,
        Self::AcquisitionDecade,
    ];

    /// The dimensions filtered and counted by exact value: the first ten of [`Self::ALL`].
    pub const TERMS: [Dimension; 10] = match Self::ALL.first_chunk() {
        Some(terms) => *terms,
        None => unreachable!(),
    };

    /// The facet's name in results; for a term dimension also its query parameter and the
    /// index field holding its values.
    pub const fn name(self) -> &'static str {
        match self {
            Self::CancerCondition => "cancer_condition",
            Self::Modality => "modality",
            Self::BodyPart => "body_part",
            Self::Manufacturer => "manufacturer",
            Self::Country => "country",
            Self::Publisher => "publisher",
            Self::AccessRights => "access_rights",
            Self::HealthCategory => "health_category",
            Self::DuoPermission => "duo_permission",
            Self::TrustedHolder => "trusted_holder",
            Self::Subjects => "subjects",
            Self::AgeGroup => "age_group",
            Self::AcquisitionDecade => "acquisition_decade",
        }
    }

    /// The position in [`Dimension::ALL`]; term dimensions also index [`Dimension::TERMS`].
    pub(super) const fn position(self) -> usize {
        self as usize
    }

    pub const fn is_term(self) -> bool {
        self.position() < Self::TERMS.len()
    }
}

/// What a search keeps: datasets passing every filter. An empty filter does not narrow.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Per term dimension (by position), the accepted values, any of which may match.
    terms: [Vec<String>; Dimension::TERMS.len()],
    pub subjects: (Option<u64>, Option<u64>),
    /// Datasets whose typical age range overlaps this one.
    pub age: (Option<u64>, Option<u64>),
    /// Datasets whose acquisition period overlaps these years.
    pub acquisition_years: (Option<i64>, Option<i64>),
}

impl Filters {
    /// Keeps datasets with any of `values` in term dimension `dimension`.
    ///
    /// # Panics
    /// When `dimension` is a range dimension, which is filtered by its bounds instead.
    pub fn accept(&mut self, dimension: Dimension, values: Vec<String>) {
        assert!(dimension.is_term(), "{dimension:?} is filtered by bounds");
        self.terms[dimension.position()] = values;
    }

    /// The values accepted in term dimension `dimension` (empty: not filtered).
    pub fn accepted(&self, dimension: Dimension) -> &[String] {
        self.terms
            .get(dimension.position())
            .map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_follow_the_lists() {
        for (position, dimension) in Dimension::ALL.iter().enumerate() {
            assert_eq!(dimension.position(), position);
            assert_eq!(dimension.is_term(), Dimension::TERMS.contains(dimension));
        }
    }
}

//! What an applicant writes: the contents of an access application (EHDS Art 67(2)) or a data
//! request (Art 69). A draft may leave parts out; what it holds is always valid, and
//! [`super::rules`] checks at submission that nothing the regulation asks for is missing.

use serde::{Deserialize, Serialize};

use crate::catalogue::Period;
use crate::catalogue::icd10::IcdCode;
use crate::catalogue::text::{LongText, ShortText};
use crate::code_enum;
use crate::codes;
use crate::ids::DatasetId;
use crate::publisher::OrganisationType;
use crate::values::{CountryCode, Email, Name, Subject};

code_enum!(
    /// The two ways to ask for data (EHDS Arts 67 and 69).
    ApplicationKind, codes::UNKNOWN_APPLICATION_KIND {
        /// Record-level data in a secure processing environment, under a data permit (Art 67).
        AccessApplication = "access_application",
        /// An answer in anonymised statistical form only, no permit (Art 69).
        DataRequest = "data_request",
    }
);

code_enum!(
    /// The purposes for which access may be granted (EHDS Art 53(1)).
    Purpose, codes::UNKNOWN_PURPOSE {
        /// (a) public interest in public or occupational health.
        PublicHealth = "public_health",
        /// (b) policy making and regulatory activities of public sector bodies.
        PolicyMaking = "policy_making",
        /// (c) official statistics.
        Statistics = "statistics",
        /// (d) education or teaching in health or care.
        Education = "education",
        /// (e) scientific research in health or care.
        ScientificResearch = "scientific_research",
        /// (f) improving care delivery, treatment optimisation, personalised healthcare.
        CareImprovement = "care_improvement",
    }
);

impl Purpose {
    /// The letter of Art 53(1) the purpose is under.
    pub fn letter(self) -> &'static str {
        match self {
            Self::PublicHealth => "a",
            Self::PolicyMaking => "b",
            Self::Statistics => "c",
            Self::Education => "d",
            Self::ScientificResearch => "e",
            Self::CareImprovement => "f",
        }
    }

    /// Purposes (a) to (c), which Art 53(2) reserves to public sector bodies and Union
    /// institutions, and which the accelerated deadlines and the opt-out exception concern.
    pub fn is_public_interest(self) -> bool {
        matches!(
            self,
            Self::PublicHealth | Self::PolicyMaking | Self::Statistics
        )
    }
}

code_enum!(
    /// The sub-kinds of scientific research named in Art 53(1)(e).
    ResearchKind, codes::UNKNOWN_RESEARCH_KIND {
        /// (e)(i) development and innovation of products or services.
        Innovation = "innovation",
        /// (e)(ii) training, testing and evaluating algorithms, including AI systems and medical
        /// devices.
        AlgorithmTraining = "algorithm_training",
    }
);

code_enum!(
    /// The form data are made available in (Art 66): anonymised by default.
    DataForm, codes::UNKNOWN_DATA_FORM {
        Anonymised = "anonymised",
        Pseudonymised = "pseudonymised",
    }
);

code_enum!(
    /// The uses Art 54 prohibits.
    ProhibitedUse, codes::UNKNOWN_PROHIBITED_USE {
        /// (a) decisions detrimental to a person or group.
        DetrimentalDecisions = "detrimental_decisions",
        /// (b) decisions on job offers, or less favourable terms for goods and services,
        /// including insurance or credit.
        EmploymentOrInsuranceTerms = "employment_or_insurance_terms",
        /// (c) advertising or marketing.
        Advertising = "advertising",
        /// (d) developing products or services that may harm individuals, public health or
        /// society.
        HarmfulProducts = "harmful_products",
        /// (e) activities in conflict with ethical provisions of national law.
        UnethicalActivities = "unethical_activities",
    }
);

impl ProhibitedUse {
    /// The letter of Art 54 that prohibits it.
    pub fn letter(self) -> &'static str {
        match self {
            Self::DetrimentalDecisions => "a",
            Self::EmploymentOrInsuranceTerms => "b",
            Self::Advertising => "c",
            Self::HarmfulProducts => "d",
            Self::UnethicalActivities => "e",
        }
    }
}

code_enum!(
    /// What a data request asks to receive.
    DataRequestOutput, codes::UNKNOWN_DATA_REQUEST_OUTPUT {
        /// Anonymised statistics: the only answer a data request can have (Art 69).
        AnonymisedStatistics = "anonymised_statistics",
        /// Record-level data, which only an access application can obtain.
        RecordLevel = "record_level",
    }
);

/// The applicant organisation. Its type decides whether purposes (a)–(c) are open to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub name: Name,
    pub organisation_type: OrganisationType,
    pub country: CountryCode,
}

/// A natural person on the application. Never shown in the public register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Their token subject, so their tokens map to them (permits, visas).
    pub subject: Subject,
    pub name: Name,
    pub email: Email,
}

/// Why the data are needed (Art 53(1)) and what the applicant expects from them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurposeStatement {
    pub purpose: Purpose,
    /// Only with `scientific_research`: the (e)(i) or (e)(ii) sub-kind.
    pub research_kind: Option<ResearchKind>,
    pub explanation: LongText,
    pub expected_benefit: LongText,
}

/// The data asked for within the chosen datasets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestedData {
    pub variables: Vec<ShortText>,
    pub population: LongText,
    pub period: Option<Period>,
    pub countries: Vec<CountryCode>,
}

/// The facts about the intended use that data-use (DUO) matching reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclaredUse {
    /// Diseases studied, as ICD-10 codes; empty for research not limited to a disease.
    pub diseases: Vec<IcdCode>,
    pub commercial_use: bool,
    pub for_profit_organisation: bool,
    /// General methods or algorithm development (DUO NMDS; EHDS (e)(ii)).
    pub methods_development: bool,
    /// Population origins or ancestry research (DUO POA).
    pub ancestry_research: bool,
    pub publication_intended: bool,
}

/// The parts only an access application has (Art 67(2)).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessDetails {
    /// Everyone besides the principal investigator who will work in the secure processing
    /// environment.
    pub authorised_persons: Vec<Person>,
    pub data: Option<RequestedData>,
    pub data_form: Option<DataForm>,
    /// Why anonymised data cannot serve (Art 66(3)); needed for pseudonymised data.
    pub pseudonymisation_justification: Option<LongText>,
    pub safeguards: Option<LongText>,
    /// How many months the data are needed for.
    pub processing_months: Option<u32>,
    /// Tools and computing resources needed in the secure processing environment.
    pub spe_tools: Vec<ShortText>,
    /// The ethics approval reference, where national law or a dataset's IRB condition asks.
    pub ethics_approval: Option<ShortText>,
    /// Whether the Art 71(4) exception to opt-outs is invoked.
    pub opt_out_exception: bool,
    pub opt_out_justification: Option<LongText>,
}

/// The parts only a data request has (Art 69).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataRequestDetails {
    pub statistical_question: Option<LongText>,
    pub expected_tables: Vec<ShortText>,
    /// Why aggregated data suffice.
    pub aggregates_justification: Option<LongText>,
    pub output: DataRequestOutput,
}

impl Default for DataRequestDetails {
    fn default() -> Self {
        Self {
            statistical_question: None,
            expected_tables: Vec::new(),
            aggregates_justification: None,
            output: DataRequestOutput::AnonymisedStatistics,
        }
    }
}

/// The kind-specific part of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KindDetails {
    Access(AccessDetails),
    DataRequest(DataRequestDetails),
}

impl KindDetails {
    pub fn kind(&self) -> ApplicationKind {
        match self {
            Self::Access(_) => ApplicationKind::AccessApplication,
            Self::DataRequest(_) => ApplicationKind::DataRequest,
        }
    }
}

/// Everything the applicant wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationForm {
    pub organisation: Option<Organisation>,
    pub principal_investigator: Option<Person>,
    pub purpose: Option<PurposeStatement>,
    pub dataset_ids: Vec<DatasetId>,
    pub declared_use: DeclaredUse,
    /// Uses of Art 54 the applicant declares; any one of them refuses the application.
    pub prohibited_uses: Vec<ProhibitedUse>,
    /// The applicant's declaration that no use prohibited by Art 54 applies.
    pub art_54_declaration: bool,
    pub details: KindDetails,
}

impl ApplicationForm {
    pub fn kind(&self) -> ApplicationKind {
        self.details.kind()
    }

    /// Every person the form names: the principal investigator, then the authorised persons.
    pub fn persons(&self) -> Vec<&Person> {
        let authorised = match &self.details {
            KindDetails::Access(access) => access.authorised_persons.iter().collect(),
            KindDetails::DataRequest(_) => Vec::new(),
        };
        self.principal_investigator
            .iter()
            .chain(authorised)
            .collect()
    }

    pub fn organisation_type(&self) -> Option<OrganisationType> {
        self.organisation.as_ref().map(|o| o.organisation_type)
    }

    pub fn access(&self) -> Option<&AccessDetails> {
        match &self.details {
            KindDetails::Access(access) => Some(access),
            KindDetails::DataRequest(_) => None,
        }
    }
}

//! Response bodies of the marketplace routes.

use chrono::{DateTime, FixedOffset, NaiveDate};
use doorstep_domain::applications::Applicant;
use doorstep_domain::credentials::{HeldCredential, RequiredCredential};
use doorstep_domain::entities::seeker_profile::ExperienceEntry;
use doorstep_domain::entities::{application, application_event, business, notification, posting};
use doorstep_domain::profiles::ProfileView as DomainProfileView;
use doorstep_domain::time::to_display;
use doorstep_domain::types::{
    ApplicationStatus, BusinessStatus, Education, PayUnit, PostingKind, PostingStatus, Visibility,
    WeeklySchedule,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A business as its members and officers see it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BusinessView {
    pub id: Uuid,
    pub name: String,
    pub mall: String,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    pub status: BusinessStatus,
    /// Members and officers only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licence_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
    pub created_at: DateTime<FixedOffset>,
    /// The owner (the merchant who registered it) has verified their real name: the badge.
    #[serde(default)]
    pub owner_verified: bool,
    /// Members and officers: how many other businesses have the same licence number
    /// (allowed, but an officer looks before verifying). Absent elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_licences: Option<u64>,
    /// Members and officers: the latest licence photo, required for verification
    /// (`GET /businesses/{id}/licence-photo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence_photo_id: Option<Uuid>,
}

impl BusinessView {
    /// Adds what members and officers see of the verification checks.
    pub fn with_checks(mut self, duplicate_licences: u64, licence_photo_id: Option<Uuid>) -> Self {
        self.duplicate_licences = Some(duplicate_licences);
        self.licence_photo_id = licence_photo_id;
        self
    }

    pub fn full(b: business::Model) -> Self {
        Self {
            id: b.id,
            name: b.name,
            mall: b.mall,
            address: b.address,
            lat: b.lat,
            lon: b.lon,
            status: b.status,
            licence_number: Some(b.licence_number),
            contact_phone: Some(b.contact_phone),
            rejection_reason: b.rejection_reason,
            created_at: to_display(b.created_at),
            owner_verified: b.owner_verified,
            duplicate_licences: None,
            licence_photo_id: None,
        }
    }

    /// What anyone may read about a verified business.
    pub fn public(b: business::Model) -> Self {
        Self {
            licence_number: None,
            contact_phone: None,
            rejection_reason: None,
            ..Self::full(b)
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberView {
    pub account_id: Uuid,
    /// `owner` or `member`.
    pub role: String,
    pub added_at: DateTime<FixedOffset>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PostingView {
    pub id: Uuid,
    pub business_id: Uuid,
    pub business_name: String,
    pub mall: String,
    pub kind: PostingKind,
    pub status: PostingStatus,
    pub title: String,
    pub description: String,
    pub category: String,
    pub category_name: String,
    pub skills: Vec<String>,
    pub headcount: i32,
    /// Integer fen of CNY per `pay_unit`.
    pub pay_min: i64,
    pub pay_max: i64,
    pub pay_unit: PayUnit,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    pub schedule: WeeklySchedule,
    pub education_min: Option<Education>,
    pub experience_years_min: Option<i32>,
    pub requirements: String,
    /// Certificates and licences required, as stated in fields (the texts may name more).
    pub required_credentials: Vec<RequiredCredential>,
    pub benefits: Vec<String>,
    pub start_date: Option<NaiveDate>,
    pub expires_at: DateTime<FixedOffset>,
    pub published_at: Option<DateTime<FixedOffset>>,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
    /// How the business answered seekers in conversations over the last 30 days, on the
    /// public views (`GET /postings`, `GET /postings/{id}`); null when fewer than 3
    /// conversations count (too few to say), and on the merchant's own answers.
    #[serde(default)]
    pub responsiveness: Option<crate::views::conversation_records::ResponsivenessView>,
    /// How the merchant kept its word on gig shifts over the last 90 days, and the upheld
    /// complaints against it (`GET /postings/{id}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_record: Option<crate::views::complaints::MerchantRecordView>,
    /// The business's owner has verified their real name (实名认证): the poster's badge.
    #[serde(default)]
    pub owner_real_name_verified: bool,
}

impl PostingView {
    pub fn new(p: posting::Model, b: &business::Model) -> Self {
        Self {
            id: p.id,
            business_id: p.business_id,
            business_name: b.name.clone(),
            mall: b.mall.clone(),
            kind: p.kind,
            status: p.status,
            title: p.title,
            description: p.description,
            category_name: doorstep_domain::postings::taxonomy::name_zh(&p.category).to_owned(),
            category: p.category,
            skills: p.skills.0,
            headcount: p.headcount,
            pay_min: p.pay_min,
            pay_max: p.pay_max,
            pay_unit: p.pay_unit,
            address: p.address,
            lat: p.lat,
            lon: p.lon,
            schedule: p.schedule,
            education_min: p.education_min,
            experience_years_min: p.experience_years_min,
            requirements: p.requirements,
            required_credentials: p.required_credentials.0,
            benefits: p.benefits.0,
            start_date: p.start_date,
            expires_at: to_display(p.expires_at),
            published_at: p.published_at.map(to_display),
            created_at: to_display(p.created_at),
            updated_at: to_display(p.updated_at),
            responsiveness: None,
            merchant_record: None,
            owner_real_name_verified: b.owner_verified,
        }
    }
}

/// A seeker profile. For a merchant without the seeker's consent, `phone`, `email`,
/// `home_lat` and `home_lon` are absent and `distance_m` (from the merchant's business, in
/// metres rounded to 100 m) is given instead.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProfileView {
    pub account_id: Uuid,
    pub full_name: String,
    pub education: Option<Education>,
    pub major: Option<String>,
    pub graduation_year: Option<i32>,
    pub skills: Vec<String>,
    pub experience: Vec<ExperienceEntry>,
    pub desired_categories: Vec<String>,
    pub desired_kinds: Vec<String>,
    pub expected_pay_min: Option<i64>,
    pub expected_pay_unit: Option<PayUnit>,
    pub travel_radius_km: f64,
    pub availability: WeeklySchedule,
    pub resume: String,
    /// Certificates and licences held; null while the seeker has not said.
    pub credentials: Option<Vec<HeldCredential>>,
    pub visibility: Visibility,
    /// Whether contact details and the exact home are included.
    pub contact_shared: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home_lat: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home_lon: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<u32>,
    /// The seeker's own view only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub push: Option<PushView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personalised_matching: Option<bool>,
    /// Trainings completed at stations (and the certificates they earned).
    pub trainings: Vec<CompletedTrainingView>,
    pub updated_at: DateTime<FixedOffset>,
}

/// A training the seeker completed.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CompletedTrainingView {
    pub session_id: Uuid,
    pub topic: String,
    pub category: doorstep_domain::types::TrainingCategory,
    pub certificate: Option<String>,
    pub attended_at: Option<DateTime<FixedOffset>>,
}

impl ProfileView {
    /// Adds the trainings the seeker completed.
    pub fn with_trainings(
        mut self,
        completed: Vec<(
            doorstep_domain::entities::training_registration::Model,
            doorstep_domain::entities::training_session::Model,
        )>,
    ) -> Self {
        self.trainings = completed
            .into_iter()
            .map(|(r, s)| CompletedTrainingView {
                session_id: s.id,
                topic: s.topic,
                category: s.category,
                certificate: s.certificate,
                attended_at: r.attended_at.map(to_display),
            })
            .collect();
        self
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PushView {
    pub channels: Vec<String>,
    pub quiet_hours_start: Option<String>,
    pub quiet_hours_end: Option<String>,
    pub daily_cap: i32,
}

impl ProfileView {
    pub fn new(view: DomainProfileView, own: bool) -> Self {
        let p = view.profile;
        Self {
            account_id: p.account_id,
            full_name: p.full_name,
            education: p.education,
            major: p.major,
            graduation_year: p.graduation_year,
            skills: p.skills.0,
            experience: p.experience.0,
            desired_categories: p.desired_categories.0,
            desired_kinds: p.desired_kinds.0,
            expected_pay_min: p.expected_pay_min,
            expected_pay_unit: p.expected_pay_unit,
            travel_radius_km: p.travel_radius_km,
            availability: p.availability,
            resume: p.resume,
            credentials: p.credentials.map(|c| c.0),
            visibility: p.visibility,
            contact_shared: view.contact_shared,
            phone: view.phone,
            email: view.email,
            home_lat: p.home_lat,
            home_lon: p.home_lon,
            distance_m: view.distance_m,
            push: own.then(|| PushView {
                channels: p.push_channels.0.clone(),
                quiet_hours_start: p.quiet_hours_start.clone(),
                quiet_hours_end: p.quiet_hours_end.clone(),
                daily_cap: p.daily_push_cap,
            }),
            personalised_matching: own.then_some(p.personalised_matching),
            trainings: Vec::new(),
            updated_at: to_display(p.updated_at),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApplicantView {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApplicationEventView {
    pub from: Option<ApplicationStatus>,
    pub to: ApplicationStatus,
    pub actor_id: Uuid,
    pub detail: Option<serde_json::Value>,
    pub at: DateTime<FixedOffset>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApplicationView {
    pub id: Uuid,
    pub posting_id: Uuid,
    pub business_id: Uuid,
    pub seeker_id: Uuid,
    pub status: ApplicationStatus,
    pub note: String,
    pub interview_at: Option<DateTime<FixedOffset>>,
    pub interview_place: Option<String>,
    pub rejection_reason: Option<String>,
    /// For the business's members: who applied (applying shared these details).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applicant: Option<ApplicantView>,
    /// Every stage with its time and actor (single-application reads only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<ApplicationEventView>>,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
    /// The seeker has verified their real name (实名认证): the applicant's badge.
    #[serde(default)]
    pub seeker_real_name_verified: bool,
}

impl ApplicationView {
    pub fn new(a: application::Model) -> Self {
        Self {
            id: a.id,
            posting_id: a.posting_id,
            business_id: a.business_id,
            seeker_id: a.seeker_id,
            status: a.status,
            note: a.note,
            interview_at: a.interview_at.map(to_display),
            interview_place: a.interview_place,
            rejection_reason: a.rejection_reason,
            applicant: None,
            history: None,
            created_at: to_display(a.created_at),
            updated_at: to_display(a.updated_at),
            seeker_real_name_verified: false,
        }
    }

    /// Sets the applicant's badge from the set of verified accounts.
    pub fn with_badge(mut self, verified: &std::collections::HashSet<Uuid>) -> Self {
        self.seeker_real_name_verified = verified.contains(&self.seeker_id);
        self
    }

    pub fn with_applicant(mut self, applicant: Option<&Applicant>) -> Self {
        self.applicant = applicant.map(|a| ApplicantView {
            name: a.name.clone(),
            phone: a.phone.clone(),
            email: a.email.clone(),
        });
        self
    }

    pub fn with_history(mut self, events: Vec<application_event::Model>) -> Self {
        self.history = Some(
            events
                .into_iter()
                .map(|e| ApplicationEventView {
                    from: e.from_status,
                    to: e.to_status,
                    actor_id: e.actor_id,
                    detail: e.detail,
                    at: to_display(e.at),
                })
                .collect(),
        );
        self
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NotificationView {
    pub id: Uuid,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub data: serde_json::Value,
    pub read: bool,
    pub created_at: DateTime<FixedOffset>,
}

impl From<notification::Model> for NotificationView {
    fn from(n: notification::Model) -> Self {
        Self {
            id: n.id,
            kind: n.kind,
            title: n.title,
            body: n.body,
            data: n.data,
            read: n.read_at.is_some(),
            created_at: to_display(n.created_at),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InvitationView {
    pub id: Uuid,
    pub posting_id: Uuid,
    pub business_id: Uuid,
    pub seeker_id: Uuid,
    pub message: String,
    pub status: doorstep_domain::types::InvitationStatus,
    pub created_at: DateTime<FixedOffset>,
    pub responded_at: Option<DateTime<FixedOffset>>,
}

impl From<doorstep_domain::entities::invitation::Model> for InvitationView {
    fn from(i: doorstep_domain::entities::invitation::Model) -> Self {
        Self {
            id: i.id,
            posting_id: i.posting_id,
            business_id: i.business_id,
            seeker_id: i.seeker_id,
            message: i.message,
            status: i.status,
            created_at: to_display(i.created_at),
            responded_at: i.responded_at.map(to_display),
        }
    }
}

//! The district's recent past, so officers' views have something in them the day the demo
//! is loaded: postings that were filled or closed over the last weeks with the
//! applications they had (one hire per filled posting), and applications still open on
//! today's postings. Deterministic like the rest of the generator.

use std::collections::BTreeSet;

use chrono::Duration;
use doorstep_domain::entities::{application, application_event};
use doorstep_domain::types::{ApplicationStatus, PostingStatus};
use rand::Rng;
use uuid::Uuid;

use crate::generate::{GenPosting, Generator, rng_for, uuid};

const HISTORY: u64 = 5;
const CURRENT: u64 = 6;

/// What happened before today.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// Postings published 2 to 12 weeks ago and filled or closed since.
    pub postings: Vec<GenPosting>,
    pub applications: Vec<application::Model>,
    /// Each application's steps, as the domain records them.
    pub events: Vec<application_event::Model>,
}

impl Generator {
    /// One past posting per ten of today's, each with two to five applicants, and one open
    /// application per twenty of today's postings.
    pub fn history(&self) -> History {
        let sizes = self.sizes();
        let mut history = History::default();
        if sizes.seekers == 0 || sizes.postings == 0 {
            return history;
        }
        let now = self.now();
        let past = (sizes.postings / 10).max(1);
        for k in 0..past {
            let mut rng = rng_for(self.seed(), HISTORY, k);
            // A posting beyond today's range: as varied as today's, with its own id.
            let mut gp = self.posting(sizes.postings + k);
            let p = &mut gp.posting;
            let published = now - Duration::hours(rng.random_range(14 * 24..84 * 24));
            let open_for = Duration::hours(rng.random_range(8..14 * 24));
            let closed = published + open_for;
            let filled = rng.random_bool(0.7);
            let status = if filled {
                PostingStatus::Filled
            } else {
                PostingStatus::Closed
            };
            p.status = status;
            p.created_at = published;
            p.published_at = Some(published);
            p.expires_at = published + Duration::days(30);
            p.closed_at = Some(closed);
            p.close_reason = Some(status.as_str().to_owned());
            p.updated_at = closed;
            let applicants = rng.random_range(2..=5);
            let mut seen = BTreeSet::new();
            for n in 0..applicants {
                let seeker = self.seeker(rng.random_range(0..sizes.seekers));
                if !seen.insert(seeker.account.id) {
                    continue;
                }
                let applied = published + open_for * (n + 1) / (applicants + 2);
                let outcome = if filled && n == 0 {
                    ApplicationStatus::Hired
                } else if rng.random_bool(0.2) {
                    ApplicationStatus::Withdrawn
                } else {
                    ApplicationStatus::Rejected
                };
                let actor = if outcome == ApplicationStatus::Withdrawn {
                    seeker.account.id
                } else {
                    p.created_by
                };
                history.add(
                    &mut rng,
                    p,
                    seeker.account.id,
                    seeker.profile.graduation_year,
                    applied,
                    Some((outcome, closed, actor)),
                );
            }
            history.postings.push(gp);
        }
        let mut seen = BTreeSet::new();
        for k in 0..(sizes.postings / 20).max(1) {
            let mut rng = rng_for(self.seed(), CURRENT, k);
            let gp = self.posting(rng.random_range(0..sizes.postings));
            let seeker = self.seeker(rng.random_range(0..sizes.seekers));
            if !seen.insert((gp.posting.id, seeker.account.id)) {
                continue;
            }
            let since = (now - gp.posting.created_at).num_minutes().max(2);
            let applied = now - Duration::minutes(rng.random_range(1..since));
            let step = match rng.random_range(0..3) {
                0 => None,
                1 => Some(ApplicationStatus::Viewed),
                _ => Some(ApplicationStatus::Shortlisted),
            };
            let moved = applied + (now - applied) / 2;
            history.add(
                &mut rng,
                &gp.posting,
                seeker.account.id,
                seeker.profile.graduation_year,
                applied,
                step.map(|s| (s, moved, gp.posting.created_by)),
            );
        }
        history
    }
}

impl History {
    /// An application submitted at `applied`, moved once to `then` if given.
    fn add(
        &mut self,
        rng: &mut impl Rng,
        p: &doorstep_domain::entities::posting::Model,
        seeker: Uuid,
        graduation_year: Option<i32>,
        applied: chrono::DateTime<chrono::Utc>,
        then: Option<(ApplicationStatus, chrono::DateTime<chrono::Utc>, Uuid)>,
    ) {
        let id = uuid(rng);
        let (status, updated_at) =
            then.map_or((ApplicationStatus::Submitted, applied), |t| (t.0, t.1));
        self.applications.push(application::Model {
            id,
            posting_id: p.id,
            business_id: p.business_id,
            district_id: None,
            seeker_id: seeker,
            status,
            note: "我对这个岗位很感兴趣，随时可以面试。".into(),
            interview_at: None,
            interview_place: None,
            rejection_reason: (status == ApplicationStatus::Rejected)
                .then(|| "岗位已招满，感谢关注".to_owned()),
            created_at: applied,
            updated_at,
            graduation_year,
            anonymised_at: None,
        });
        self.events.push(application_event::Model {
            id: uuid(rng),
            application_id: id,
            from_status: None,
            to_status: ApplicationStatus::Submitted,
            actor_id: seeker,
            detail: None,
            at: applied,
        });
        if let Some((to, at, actor)) = then {
            self.events.push(application_event::Model {
                id: uuid(rng),
                application_id: id,
                from_status: Some(ApplicationStatus::Submitted),
                to_status: to,
                actor_id: actor,
                detail: None,
                at,
            });
        }
    }
}

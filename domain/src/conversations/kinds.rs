//! The closed sets of values of conversations, stored as short strings.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::types::enums::string_enum;

string_enum!(
    /// Which side of a conversation an account is on.
    Side {
        Seeker = "seeker",
        Business = "business",
    }
);

string_enum!(
    /// What a message is.
    MessageKind {
        /// 1 to 1,000 characters.
        Text = "text",
        /// One of the side's quick replies (`GET /conversations/quick-replies`).
        QuickReply = "quick_reply",
        /// A posting of the business, as a card (`posting_id`).
        PostingCard = "posting_card",
        /// The shop's address and point, as a card (business side).
        LocationCard = "location_card",
        /// Asks to exchange phone numbers (either side; written by the server).
        ContactRequest = "contact_request",
        /// The seeker agreed: contacts are shown from now on (written by the server).
        ContactShared = "contact_shared",
        /// The business proposes an interview (`interview_at`, `interview_place`) for the
        /// seeker's application to the posting; the seeker accepts it with
        /// `POST /conversations/{id}/messages/{seq}/accept`.
        InterviewProposal = "interview_proposal",
        /// The seeker accepted a proposal: the application moved to `interview` (written by
        /// the server).
        InterviewAccepted = "interview_accepted",
    }
);

string_enum!(
    /// Why a message or a conversation is reported.
    ConversationReportReason {
        /// Fees, deposits, 刷单, loans, ID or bank details: a recruiting scam.
        Scam = "scam",
        /// Insults, threats, unwanted advances.
        Harassment = "harassment",
        /// Refusing or steering someone for their sex, age, origin, health…
        Discrimination = "discrimination",
        /// Pressing for contact details, or misusing them.
        ContactAbuse = "contact_abuse",
        /// Anything else (say what in `note`).
        Other = "other",
    }
);

string_enum!(
    /// What an officer decided.
    ReportOutcome {
        /// Nothing wrong was found.
        Dismissed = "dismissed",
        /// The reported account is warned.
        Warned = "warned",
        /// The reported account opens no new conversations for `suspend_days`.
        Suspended = "suspended",
    }
);

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ActiveEnum, Iterable};

    /// Every value reads back from the string it stores, the strings are the ones rows
    /// already hold (the columns were plain strings before), and the API spells them alike.
    fn stored<T>(expected: &[&str])
    where
        T: ActiveEnum<Value = String> + Iterable + PartialEq + std::fmt::Debug + Serialize,
    {
        let values: Vec<String> = T::iter().map(|v| v.to_value()).collect();
        assert_eq!(values, expected);
        for value in T::iter() {
            assert_eq!(T::try_from_value(&value.to_value()).unwrap(), value);
            assert_eq!(serde_json::to_value(&value).unwrap(), value.to_value());
        }
        assert!(T::try_from_value(&"voice".to_owned()).is_err());
    }

    #[test]
    fn stored_strings_round_trip() {
        stored::<Side>(&["seeker", "business"]);
        stored::<MessageKind>(&[
            "text",
            "quick_reply",
            "posting_card",
            "location_card",
            "contact_request",
            "contact_shared",
            "interview_proposal",
            "interview_accepted",
        ]);
        stored::<ConversationReportReason>(&[
            "scam",
            "harassment",
            "discrimination",
            "contact_abuse",
            "other",
        ]);
        stored::<ReportOutcome>(&["dismissed", "warned", "suspended"]);
    }
}

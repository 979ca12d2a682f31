//! The index schema: job postings and seeker profiles share one index (so one commit, and
//! one commit payload, covers both), told apart by `doc_type`.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::analyzer::ANALYZER;

pub const JOB: &str = "job";
pub const PROFILE: &str = "profile";

/// Every field, resolved once.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub doc_type: Field,
    /// Posting id or seeker account id, as text: the key for delete-then-add upserts.
    pub id: Field,
    pub title: Field,
    pub description: Field,
    pub skills: Field,
    /// Skills as exact keyword terms (normalised, not segmented).
    pub skill_exact: Field,
    pub business: Field,
    /// The title's and skills' words in pinyin and initials (dianyuan, dy).
    pub pinyin: Field,
    pub category_text: Field,
    pub kind: Field,
    pub category: Field,
    /// `weekend`, `weekday`, `morning`, `afternoon`, `evening`, `night`.
    pub schedule: Field,
    pub visibility: Field,
    /// Profiles: the seeker's district (`none` when unplaced), for officers' searches.
    pub district: Field,
    /// The schedule flags as bits, for intent boosts.
    pub schedule_bits: Field,
    /// hour 0, day 1, month 2, piece 3.
    pub pay_unit_ord: Field,
    pub kind_ord: Field,
    pub category_ord: Field,
    pub lat: Field,
    pub lon: Field,
    /// Pay normalised to fen per hour; -1 when not comparable (piece rates).
    pub pay_hour_min: Field,
    pub pay_hour_max: Field,
    /// Unix seconds: when the posting opened, or the profile last changed.
    pub published: Field,
    /// Unix seconds; i64::MAX for profiles.
    pub expires: Field,
    pub education_rank: Field,
    /// Stored only, JSON: what results show without a database round trip.
    pub display: Field,
    /// Gig postings: unix seconds of each upcoming shift's start (one value per shift).
    pub shift_starts: Field,
    /// Gig postings: the starts of the upcoming shifts that had a place open to everyone
    /// when indexed (claims that fill or free a shift's last place re-index the posting).
    pub open_shift_starts: Field,
}

fn text(stored: bool) -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(ANALYZER)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let options = TextOptions::default().set_indexing_options(indexing);
    if stored {
        options.set_stored()
    } else {
        options
    }
}

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        doc_type: b.add_text_field("doc_type", STRING),
        id: b.add_text_field("id", STRING | STORED),
        title: b.add_text_field("title", text(true)),
        description: b.add_text_field("description", text(true)),
        skills: b.add_text_field("skills", text(false)),
        skill_exact: b.add_text_field("skill_exact", STRING),
        business: b.add_text_field("business", text(false)),
        pinyin: b.add_text_field(
            "pinyin",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer("default")
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
        category_text: b.add_text_field("category_text", text(false)),
        kind: b.add_text_field("kind", STRING),
        category: b.add_text_field("category", STRING),
        schedule: b.add_text_field("schedule", STRING),
        visibility: b.add_text_field("visibility", STRING),
        district: b.add_text_field("district", STRING),
        schedule_bits: b.add_u64_field("schedule_bits", FAST),
        pay_unit_ord: b.add_u64_field("pay_unit_ord", FAST),
        kind_ord: b.add_u64_field("kind_ord", FAST),
        category_ord: b.add_u64_field("category_ord", FAST),
        lat: b.add_f64_field("lat", FAST | INDEXED),
        lon: b.add_f64_field("lon", FAST | INDEXED),
        pay_hour_min: b.add_f64_field("pay_hour_min", FAST),
        pay_hour_max: b.add_f64_field("pay_hour_max", FAST),
        published: b.add_i64_field("published", FAST),
        expires: b.add_i64_field("expires", FAST),
        education_rank: b.add_u64_field("education_rank", FAST),
        display: b.add_text_field("display", STORED),
        shift_starts: b.add_i64_field("shift_starts", FAST),
        open_shift_starts: b.add_i64_field("open_shift_starts", FAST),
    };
    (b.build(), fields)
}

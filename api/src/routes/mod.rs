//! Route handlers, thin by rule: parse and authorise, call a domain function, map the
//! result. Registering a handler here is also what puts it in the OpenAPI document.

use utoipa_actix_web::scope::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub mod accounts;
pub mod applications;
pub mod auth;
pub mod businesses;
pub mod conversation_records;
pub mod conversations;
pub mod districts;
pub mod docs;
pub mod fair_booths;
pub mod fair_registrations;
pub mod fairs;
pub mod gigs;
pub mod health;
pub mod inbox;
pub mod invitations;
pub mod lexicon;
pub mod matches;
pub mod me;
pub mod openapi;
pub mod postings;
pub mod privacy;
pub mod profiles;
pub mod realtime;
pub mod screening;
pub mod search;
pub mod service_records;
pub mod webhooks;
pub mod wechat;
pub mod wechat_push;
// The gig workers' community.
pub mod points;
pub mod reports;
// Issue 25.
pub mod complaints;
pub mod stations;
pub mod trainings;
pub mod wishes;
// Officer services (issue 11).
pub mod audit;
pub mod figures;
// Trust and compliance (issue 25): real names.
pub mod identity;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(docs::home)
        .service(docs::docs)
        .service(docs::docs_file)
        .service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .service(
            scope("/api/v1")
                .service(openapi::openapi_json)
                .service(realtime::live)
                .service(auth::request_code)
                .service(auth::register)
                .service(auth::login)
                .service(auth::refresh)
                .service(auth::logout)
                .service(auth::reset_password)
                .service(me::me)
                .service(me::change_password)
                .service(me::request_phone_code)
                .service(me::change_phone)
                .service(wechat::sign_in)
                .service(wechat::bind)
                .service(wechat::unbind)
                .service(wechat::phone)
                .service(wechat::posting_code)
                .service(wechat::fair_code)
                .service(wechat::station_code)
                .service(accounts::list_accounts)
                .service(accounts::create_account)
                .service(accounts::disable_account)
                .service(accounts::enable_account)
                .service(accounts::change_role)
                .service(privacy::export)
                .service(privacy::erase)
                .service(postings::categories)
                .service(districts::create_district)
                .service(districts::list_districts)
                .service(districts::get_district)
                .service(districts::update_district)
                .service(districts::delete_district)
                .service(districts::list_officers)
                .service(districts::assign_officer)
                .service(districts::unassign_officer)
                .service(service_records::create_record)
                .service(service_records::seeker_file)
                .service(service_records::my_records)
                .service(service_records::update_record)
                .service(service_records::follow_ups)
                // Literal segments before `{id}`: actix tries routes in order.
                .service(businesses::my_businesses)
                .service(businesses::create_business)
                .service(businesses::list_businesses)
                .service(businesses::get_business)
                .service(businesses::update_business)
                .service(businesses::verify_business)
                .service(businesses::reject_business)
                .service(businesses::list_members)
                .service(businesses::add_member)
                .service(businesses::remove_member)
                .service(businesses::upload_licence_photo)
                .service(businesses::get_licence_photo)
                .service(businesses::business_verification_file)
                .service(identity::verify_identity)
                .service(identity::my_identity)
                .service(postings::create_posting)
                .service(postings::my_postings)
                .service(postings::list_postings)
                .service(postings::get_posting)
                .service(postings::update_posting)
                .service(postings::publish_posting)
                .service(postings::pause_posting)
                .service(postings::close_posting)
                .service(postings::fill_posting)
                .service(search::search_jobs)
                .service(search::search_profiles)
                .service(search::reindex)
                .service(lexicon::add_entry)
                .service(lexicon::list_entries)
                .service(lexicon::remove_entry)
                .service(profiles::my_profile)
                .service(profiles::put_profile)
                .service(profiles::get_profile)
                .service(applications::apply)
                .service(applications::list_for_posting)
                .service(applications::my_applications)
                .service(applications::get_application)
                .service(applications::transition)
                .service(invitations::invite)
                .service(invitations::my_invitations)
                .service(invitations::accept)
                .service(invitations::decline)
                .service(matches::list_matches)
                .service(matches::feedback)
                .service(webhooks::register_webhook)
                .service(webhooks::list_webhooks)
                .service(webhooks::remove_webhook)
                .service(webhooks::ping_webhook)
                .service(inbox::list_inbox)
                .service(inbox::mark_read)
                .service(wechat_push::accept_subscriptions)
                .service(wechat_push::list_reviews)
                .service(wechat_push::resolve_review)
                .service(fairs::create_fair)
                .service(fairs::list_fairs)
                .service(fairs::get_fair)
                .service(fairs::update_fair)
                .service(fairs::publish_fair)
                .service(fairs::close_fair)
                .service(fairs::finish_fair)
                .service(fairs::cancel_fair)
                .service(fairs::plan_routes)
                .service(fairs::fair_figures)
                .service(fairs::fair_figures_csv)
                .service(fairs::device_key)
                .service(fairs::rotate_device_key)
                .service(fair_booths::request_booth)
                .service(fair_booths::list_booths)
                .service(fair_booths::change_booth)
                .service(fair_booths::approve_booth)
                .service(fair_booths::reject_booth)
                .service(fair_booths::booth_schedule)
                .service(fair_booths::record_outcome)
                .service(fair_booths::apply_at_booth)
                .service(fair_registrations::register_for_fair)
                .service(fair_registrations::get_registration)
                .service(fair_registrations::cancel_registration)
                .service(fair_registrations::my_registrations)
                .service(fair_registrations::walk_in)
                .service(fair_registrations::record_scan)
                // Literal segments (map.geojson, figures, me) before `{id}`.
                .service(stations::station_map)
                .service(stations::nearby_stations)
                .service(stations::create_station)
                .service(stations::get_station)
                .service(stations::update_station)
                .service(trainings::create_training)
                .service(trainings::list_trainings)
                .service(trainings::my_trainings)
                .service(trainings::get_training)
                .service(trainings::register_training)
                .service(trainings::cancel_training_registration)
                .service(trainings::cancel_training)
                .service(trainings::training_check_in)
                .service(reports::file_report)
                .service(reports::report_queue)
                .service(reports::my_reports)
                .service(reports::get_report)
                .service(reports::add_photo)
                .service(reports::add_voice)
                .service(reports::dispatch_report)
                .service(reports::reject_report)
                .service(reports::report_in_progress)
                .service(reports::resolve_report)
                .service(reports::add_resolution_photo)
                .service(reports::handling_view)
                .service(reports::handling_progress)
                .service(reports::handling_resolve)
                .service(reports::handling_photo)
                .service(reports::report_board)
                .service(reports::get_media)
                .service(reports::create_department)
                .service(reports::list_departments)
                // Issue 25: complaints.
                .service(complaints::file_complaint)
                .service(complaints::complaint_queue)
                .service(complaints::my_complaints)
                .service(complaints::get_complaint)
                .service(complaints::add_complaint_photo)
                .service(complaints::get_complaint_photo)
                .service(complaints::acknowledge_complaint)
                .service(complaints::decide_complaint)
                .service(complaints::business_complaints)
                .service(complaints::lift_business_suspension)
                .service(points::my_points)
                .service(points::list_rewards)
                .service(points::create_reward)
                .service(points::redeem_reward)
                .service(points::my_redemptions)
                .service(points::fulfil_redemption)
                .service(points::cancel_redemption)
                .service(points::award_volunteer_task)
                .service(points::league)
                .service(conversations::open_from_posting)
                .service(conversations::open_with_seeker)
                .service(conversations::list_conversations)
                .service(conversations::quick_replies)
                // Before `/conversations/{id}`, which would take `search` for an id.
                .service(conversation_records::search_conversations)
                .service(conversations::get_conversation)
                .service(conversations::list_messages)
                .service(conversations::send_message)
                .service(conversations::mark_conversation_read)
                .service(conversations::request_contact)
                .service(conversations::share_contact)
                .service(conversations::accept_interview)
                .service(conversations::block)
                .service(conversations::unblock)
                .service(conversation_records::report_conversation)
                .service(conversation_records::list_conversation_reports)
                .service(conversation_records::investigate_conversation_report)
                .service(conversation_records::resolve_conversation_report)
                // Issue 25: posting screening.
                .service(screening::list_minimum_wages)
                .service(screening::add_minimum_wage)
                .service(screening::list_screening_decisions)
                .service(wishes::wish_figures)
                .service(wishes::post_wish)
                .service(wishes::wish_wall)
                .service(wishes::answer_wish)
                .service(gigs::shifts::create_shifts)
                .service(gigs::shifts::list_shifts)
                .service(gigs::shifts::get_shift)
                .service(gigs::shifts::update_shift)
                .service(gigs::shifts::cancel_shift)
                .service(gigs::shifts::shift_changes)
                .service(gigs::shifts::get_gig_options)
                .service(gigs::shifts::set_gig_options)
                .service(gigs::shifts::update_gig_settings)
                .service(gigs::shifts::checkin_code)
                .service(gigs::shifts::list_favourites)
                .service(gigs::shifts::add_favourite)
                .service(gigs::shifts::remove_favourite)
                .service(gigs::claims::claim_shift)
                .service(gigs::claims::list_shift_claims)
                .service(gigs::claims::my_claims)
                .service(gigs::claims::get_claim)
                .service(gigs::claims::cancel_claim)
                .service(gigs::claims::approve_claim)
                .service(gigs::claims::reject_claim)
                .service(gigs::work::check_in)
                .service(gigs::work::check_out)
                .service(gigs::work::confirm_hours)
                .service(gigs::work::dispute_hours)
                .service(gigs::work::resolve_dispute)
                .service(gigs::work::list_disputes)
                .service(gigs::work::rate_shift)
                .service(gigs::work::claim_ratings)
                .service(gigs::work::shift_pay)
                .service(gigs::work::business_pay)
                .service(gigs::work::my_pay)
                .service(gigs::work::seeker_reliability)
                .service(gigs::work::my_reliability)
                .service(audit::list_audit)
                .service(audit::export_audit)
                // `figures.csv` and `figures` are distinct literal segments after `{id}`.
                .service(figures::district_figures)
                .service(figures::district_figures_csv),
        );
}

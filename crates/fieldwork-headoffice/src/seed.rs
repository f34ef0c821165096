//! Demo data for `fieldwork-headoffice seed --demo`: the standard job types and parts catalogue,
//! the knowledge base, a dispatcher, an admin, three technicians, and customers with sites,
//! equipment and jobs —
//! some waiting to be scheduled, most booked for the technicians today and tomorrow (never two
//! at once for one technician). The texts
//! come from the core's seed generators, so the demo reads like the device's demo data.
//!
//! A demo of [`HISTORY_FROM_JOBS`] jobs or more (`make run`'s) also has the team's past four
//! weeks ([`history`]): about half its jobs are repairs the technicians finished, pushed from
//! their laptops and closed, so the KPIs have history and the knowledge base has past fixes —
//! among them two fixes of E4 on a Midea washing machine, the model tech1 is booked on today.
//! Smaller demos (the tests') are open jobs only, as before.

use chrono::{Duration, DurationRound, Offset, Utc};
use fieldwork_domain::domain::{JobType, Priority, Technician};
use fieldwork_domain::schedule::{self, Window, WorkingHours};
use fieldwork_domain::seed::content;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::config::PasswordCost;
use crate::error::{Error, Result};
use crate::secrets::hash_password;
use crate::store::{
    CustomerInput, Dispatcher, EquipmentInput, HeadOfficeStore, JobInput, NewUser, ScheduleInput,
    SiteInput, UserRole,
};

mod history;

/// From this many jobs on, the demo has history: about half of them (at most
/// [`MOST_HISTORY`]) are finished jobs of the past weeks.
pub const HISTORY_FROM_JOBS: usize = 50;
/// The most finished jobs a demo gets, however big (a benchmark's thousands stay open work).
const MOST_HISTORY: usize = 150;

/// A demo account: user name, password, role.
pub const DEMO_ACCOUNTS: &[(&str, &str, UserRole)] = &[
    ("dispatcher", "dispatcher-demo", UserRole::Dispatcher),
    ("admin", "admin-demo", UserRole::Admin),
    ("tech1", "tech1-demo", UserRole::Technician),
    ("tech2", "tech2-demo", UserRole::Technician),
    ("tech3", "tech3-demo", UserRole::Technician),
];

/// What the demo seed made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub users: usize,
    pub customers: usize,
    pub jobs: usize,
}

/// Installs the job types and parts catalogue (idempotent: same ids every time).
pub async fn catalogues(store: &dyn HeadOfficeStore) -> Result<()> {
    let existing = store.job_types().await?;
    for t in content::job_type_templates() {
        if existing.iter().any(|e| e.code == t.code) {
            continue;
        }
        store
            .put_job_type(JobType {
                id: format!("jt-{}", t.code),
                code: t.code.to_owned(),
                name: t.name.to_owned(),
                name_zh: t.name_zh.to_owned(),
                required_photo_kinds: t.required_photo_kinds,
                checklist: t.checklist,
            })
            .await?;
    }
    if store.parts().await?.is_empty() {
        for p in content::parts_catalogue() {
            store.put_part(p).await?;
        }
    }
    Ok(())
}

/// Writes and publishes the demo knowledge base (articles in English and Chinese), as the
/// demo's admin.
pub async fn knowledge_base(store: &dyn HeadOfficeStore) -> Result<usize> {
    let admin = Dispatcher { user_id: String::new(), name: "admin".to_owned() };
    let articles = fieldwork_domain::seed::kb::demo_articles();
    for content in &articles {
        let written = store.create_kb_article(&admin, content.clone()).await?;
        store.publish_kb_article(&admin, &written.article.id, written.article.version).await?;
    }
    Ok(articles.len())
}

/// Beyond this many bookings of one technician the seed searches for free slots from their
/// latest booking on (see [`demo`]).
const FORTNIGHT_OF_BOOKINGS: usize = 40;

/// Seeds the demo. Refuses when users already exist, so it never mixes with real data.
pub async fn demo(
    store: &dyn HeadOfficeStore,
    cost: PasswordCost,
    jobs: usize,
) -> Result<DemoSummary> {
    if !store.list_users().await?.is_empty() {
        return Err(Error::AlreadyExists(
            "users (seed --demo only fills an empty head office)".to_owned(),
        ));
    }
    catalogues(store).await?;
    let names = content::technician_names();
    let mut techs = Vec::new();
    let mut crew = Vec::new();
    for (i, (user, password, role)) in DEMO_ACCOUNTS.iter().enumerate() {
        let technician = (*role == UserRole::Technician).then(|| {
            let (name, _) = names.get(i).cloned().unwrap_or_else(|| ((*user).to_owned(), false));
            Technician {
                id: format!("tech-{user}"),
                name,
                phone: None,
                email: None,
                skills: vec![
                    "air_conditioner".into(),
                    "water_heater".into(),
                    "washing_machine".into(),
                ],
                active: true,
            }
        });
        if let Some(t) = &technician {
            techs.push(t.id.clone());
        }
        let pw = (*password).to_owned();
        let password_hash = tokio::task::spawn_blocking(move || hash_password(&pw, cost)).await??;
        let added = store
            .add_user(NewUser { name: (*user).to_owned(), role: *role, password_hash, technician })
            .await?;
        if let Some(technician_id) = added.technician_id.clone() {
            crew.push(history::Crew {
                technician_id,
                user_id: added.id.clone(),
                user_name: added.name.clone(),
            });
        }
    }
    knowledge_base(store).await?;
    let by = Dispatcher { user_id: String::new(), name: "dispatcher".to_owned() };
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let today = Utc::now().duration_trunc(Duration::days(1)).unwrap_or_else(|_| Utc::now());
    let mut booked: Vec<Vec<Window>> = vec![Vec::new(); techs.len()];
    // The past first (its bookings are in `booked`), then tech1's Midea E4 job today, then the
    // open work around it.
    let mut past = 0;
    let mut past_customers = 0;
    if jobs >= HISTORY_FROM_JOBS && !crew.is_empty() {
        let mut seeder = history::Seeder::new(
            store,
            by.clone(),
            crew,
            &mut booked,
            today,
            ChaCha8Rng::seed_from_u64(2026 ^ 0x6869_7374),
        )
        .await?;
        past = seeder.history((jobs / 2).min(MOST_HISTORY)).await?;
        seeder.midea_e4_today().await?;
        past += 1;
        past_customers = seeder.customers;
    }
    let jobs = jobs.saturating_sub(past);
    let customers = jobs.div_ceil(2).max(1);
    let mut made = 0;
    for _ in 0..customers {
        let chinese = rng.gen_bool(0.5);
        let customer = store
            .create_customer(
                &by,
                CustomerInput {
                    name: content::customer_name(&mut rng, chinese),
                    phone: content::phone(&mut rng, chinese),
                    alt_phone: None,
                    email: None,
                },
            )
            .await?;
        let addr = content::address(&mut rng, chinese);
        let site = store
            .create_site(
                &by,
                SiteInput {
                    customer_id: customer.id.clone(),
                    address: addr.line,
                    city: addr.city,
                    postal_code: Some(addr.postal_code),
                    access_notes: addr.access_notes,
                    contact_name: None,
                    contact_phone: None,
                },
            )
            .await?;
        let a = content::appliance(&mut rng);
        let installed = today.date_naive() - Duration::days(rng.gen_range(30..900));
        let equipment = store
            .create_equipment(
                &by,
                EquipmentInput {
                    site_id: site.id.clone(),
                    category: a.category,
                    brand: a.brand.to_owned(),
                    model: a.model,
                    serial: a.serial,
                    purchased_on: Some(installed),
                    installed_on: Some(installed),
                    warranty_end: None,
                },
            )
            .await?;
        for _ in 0..2 {
            if made == jobs {
                break;
            }
            let priority = [Priority::Normal, Priority::High, Priority::Urgent, Priority::Low]
                [rng.gen_range(0..4)];
            let job = store
                .create_job(
                    &by,
                    JobInput {
                        job_type: if rng.gen_bool(0.7) { "repair" } else { "maintenance" }.into(),
                        priority,
                        customer_id: customer.id.clone(),
                        site_id: site.id.clone(),
                        equipment_id: Some(equipment.id.clone()),
                        reported_problem: content::problem(&mut rng, a.category, chinese),
                        reported_at: None,
                        return_of: None,
                        goodwill: false,
                    },
                )
                .await?;
            // One in five stays unscheduled for the dispatcher to plan. The others are booked
            // in their technician's first free slot from a time of day that varies, so no
            // technician is double-booked.
            if made % 5 != 4 && !techs.is_empty() {
                let tech = made % techs.len();
                let mut after = today
                    + Duration::days(i64::from(made % 3 == 2))
                    + Duration::hours(8 + (made as i64 % 8));
                // A big seed (the benchmarks' thousands of jobs) books each technician day
                // after day: once a fortnight's worth is booked, the search starts on the day of
                // their latest booking instead of walking every earlier one again (which made
                // seeding cubic), and may reach years ahead.
                if booked[tech].len() > FORTNIGHT_OF_BOOKINGS
                    && let Some(last) = booked[tech].iter().map(|w| w.start).max()
                {
                    after = after.max(last - Duration::hours(24));
                }
                let slot = schedule::next_free_slot(
                    &booked[tech],
                    after,
                    schedule::appointment_length(None),
                    WorkingHours::standard(Utc.fix()),
                    Duration::days(365),
                )
                .ok_or_else(|| Error::Internal("no free slot for a demo job".to_owned()))?;
                store
                    .schedule_job(
                        &by,
                        &job.id,
                        ScheduleInput {
                            assignee_id: techs[tech].clone(),
                            appointment_start: slot.start,
                            appointment_end: slot.end,
                            allow_overlap: false,
                        },
                    )
                    .await?;
                booked[tech].push(slot);
            }
            made += 1;
        }
    }
    Ok(DemoSummary {
        users: DEMO_ACCOUNTS.len(),
        customers: customers + past_customers,
        jobs: made + past,
    })
}

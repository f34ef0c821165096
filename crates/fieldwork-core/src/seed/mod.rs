//! Deterministic demo data: a company's worth of customers, sites, appliances and jobs in every
//! status, spread over the past, today and the coming two weeks. The same seed on the same day
//! gives the same data. Scales to 100,000 jobs and more.
//!
//! The knowledge base is the domain's demo articles, published a few weeks back.
//!
//! The device's technician gets a realistic day: about six appointments today, all still to be
//! worked, while the rest of the team's history fills the store.

pub use fieldwork_domain::seed::content;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::domain::{
    ChecklistItemKind, ChecklistValue, Customer, Equipment, EquipmentCategory, Feedback, JobStatus,
    JobType, Note, Part, PartUsed, Priority, SignatureRef, Site, StatusChange, Technician,
    TimeEntry, TimeEntrySource, WarrantyStatus, WorkOrder,
};
use crate::error::{CoreError, Result};
use crate::hlc::Hlc;
use crate::kb::{Article, ArticleStatus};
use crate::sla::{self, SlaPolicy};
use crate::store::{SeedWriter, Store};

/// What to generate.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub jobs: usize,
    pub seed: u64,
    /// The local calendar day that counts as today.
    pub today: NaiveDate,
    /// The present moment (jobs before it are worked, after it are planned).
    pub now: DateTime<Utc>,
}

/// What was generated.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SeedSummary {
    pub jobs: usize,
    pub customers: usize,
    pub technicians: usize,
    pub device_technician_id: String,
    pub device_technician_name: String,
    pub today_jobs_for_device_technician: usize,
    /// Knowledge articles written (the demo knowledge base, as head office publishes it).
    pub articles: usize,
}

/// The present as the generator sees it: `now` rounded down to a quarter hour, so the same seed
/// gives the same data all through that quarter hour (and never anything after `now`).
fn generator_now(now: DateTime<Utc>) -> DateTime<Utc> {
    const QUARTER_HOUR_MS: i64 = 15 * 60 * 1000;
    let ms = now.timestamp_millis();
    DateTime::from_timestamp_millis(ms - ms.rem_euclid(QUARTER_HOUR_MS)).unwrap_or(now)
}

/// A deterministic UUIDv7 for a record made at `at`, with random bits from the seeded generator.
fn id_at(rng: &mut ChaCha8Rng, at: DateTime<Utc>) -> String {
    let mut bytes = [0u8; 10];
    rng.fill(&mut bytes);
    let ms = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(ms, &bytes).into_uuid().to_string()
}

/// The demo knowledge base as head office would have published it, a few weeks before `now`:
/// the domain's demo articles with ids and times of their own (from `seed`, not from the jobs'
/// generator, so the jobs stay what they were).
fn demo_articles(seed: u64, now: DateTime<Utc>) -> Result<Vec<Article>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6b62_6b62_6b62_6b62);
    let first = now - Duration::days(45);
    fieldwork_domain::seed::kb::demo_articles()
        .into_iter()
        .enumerate()
        .map(|(i, content)| {
            let at = first + Duration::hours(i64::try_from(i).unwrap_or(0) * 7);
            Ok(Article {
                id: id_at(&mut rng, at),
                version: 1,
                status: ArticleStatus::Published,
                content: content.normalised()?,
                author: String::from("supervisor"),
                reviewer: Some(String::from("admin")),
                updated_at: at,
                published_at: Some(at),
            })
        })
        .collect()
}

/// The node name on head-office stamps of seeded facts.
const HEAD_OFFICE: &str = "headoffice";

/// One planned job: when, for whom, and in which part of the timeline.
#[derive(Debug, Clone, Copy)]
struct Slot {
    start: DateTime<Utc>,
    technician: Option<usize>,
    when: When,
    /// The start of the technician's next appointment that day: this one ends by then, so no
    /// technician is booked twice at once.
    ends_by: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    Past,
    /// Today, with how far the technician's day has come.
    Today(Progress),
    Future,
    /// Reported, not yet scheduled.
    Unscheduled,
}

/// Where one of today's appointments stands. Each technician other than the device's has done
/// the appointments before, is on exactly one now, and has the rest ahead, whatever the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Progress {
    Done,
    UnderWay,
    Planned,
}

/// A customer with their site and the appliances there, for repeat visits.
#[derive(Debug, Clone)]
struct Household {
    customer: usize,
    site_id: String,
    chinese: bool,
    equipment: Vec<(String, EquipmentCategory, Option<NaiveDate>)>,
    last_job: Option<String>,
}

fn local_time(date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let naive = date.and_hms_opt(hour, minute, 0).unwrap_or_default();
    chrono::Local
        .from_local_datetime(&naive)
        .earliest()
        .map_or_else(|| Utc.from_utc_datetime(&naive), |t| t.with_timezone(&Utc))
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Plans every job's slot, oldest first.
fn plan_slots(rng: &mut ChaCha8Rng, opts: &SeedOptions, techs: usize) -> Vec<Slot> {
    let n = opts.jobs;
    let mut slots = Vec::with_capacity(n);
    let now = generator_now(opts.now);
    let mut push_day = |slots: &mut Vec<Slot>, date: NaiveDate, tech: usize, count: usize, when| {
        // Every two hours from 08:00 (a sixth appointment at 18:00), in order.
        let starts: Vec<DateTime<Utc>> = (0..count)
            .map(|k| {
                let hour = (8 + u32::try_from(k * 2).unwrap_or(0)).min(23);
                let minute = if rng.gen_bool(0.5) { 0 } else { 30 };
                local_time(date, hour, minute)
            })
            .collect();
        // Today: the first appointment not yet finished (two hours after its start) is the one
        // under way; if the day is over, the last one runs late.
        let under_way = starts
            .iter()
            .position(|s| *s + Duration::hours(2) >= now)
            .unwrap_or(count.saturating_sub(1));
        for (k, start) in starts.iter().copied().enumerate() {
            let when = match when {
                When::Today(_) if tech == 0 => When::Today(Progress::Planned),
                When::Today(_) if k < under_way => When::Today(Progress::Done),
                When::Today(_) if k == under_way => When::Today(Progress::UnderWay),
                When::Today(_) => When::Today(Progress::Planned),
                other => other,
            };
            let ends_by = starts.get(k + 1).copied();
            slots.push(Slot { start, technician: Some(tech), when, ends_by });
        }
    };
    // Today for the device's technician first, so even a tiny demo has a day to work.
    let mine_today = n.min(6);
    push_day(&mut slots, opts.today, 0, mine_today, When::Today(Progress::Planned));
    let unscheduled = (n / 50).min(n.saturating_sub(slots.len()));
    // Today for the rest of the team, then two weeks ahead: about a quarter of the jobs at most.
    let future_budget = (n / 4).saturating_sub(mine_today);
    let mut future = Vec::new();
    'days: for day in 0..15 {
        let date = opts.today + Duration::days(day);
        let per_tech = if is_weekend(date) { 2 } else { 5 };
        for tech in 0..techs {
            if day == 0 && tech == 0 {
                continue;
            }
            if future.len() + per_tech > future_budget {
                break 'days;
            }
            let when = if day == 0 { When::Today(Progress::Planned) } else { When::Future };
            push_day(&mut future, date, tech, per_tech, when);
        }
    }
    slots.extend(future);
    // The past: the team's history, about five jobs per technician per working day.
    let past = n.saturating_sub(slots.len() + unscheduled);
    let mut date = opts.today - Duration::days(1);
    let mut made = 0;
    let mut history = Vec::with_capacity(past);
    while made < past {
        let per_tech = if is_weekend(date) { 1 } else { 5 };
        for tech in 0..techs {
            let count = per_tech.min(past - made);
            push_day(&mut history, date, tech, count, When::Past);
            made += count;
            if made >= past {
                break;
            }
        }
        date -= Duration::days(1);
    }
    slots.extend(history);
    for _ in 0..unscheduled {
        slots.push(Slot {
            start: local_time(opts.today, 0, 0),
            technician: None,
            when: When::Unscheduled,
            ends_by: None,
        });
    }
    slots.sort_by_key(|s| s.start);
    slots
}

fn weighted<T: Copy>(rng: &mut ChaCha8Rng, table: &[(T, u32)]) -> T {
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut pick = rng.gen_range(0..total.max(1));
    for (v, w) in table {
        if pick < *w {
            return *v;
        }
        pick -= w;
    }
    table[0].0
}

/// Generates demo data into an empty store and makes the first technician the device's.
pub fn seed(store: &mut Store, opts: &SeedOptions) -> Result<SeedSummary> {
    if opts.jobs == 0 {
        return Err(CoreError::invalid("jobs", "generate at least one job"));
    }
    if opts.jobs > 5_000_000 {
        return Err(CoreError::invalid("jobs", "at most 5,000,000 jobs"));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let policy = store.sla_policy()?;
    let techs_n = (opts.jobs / 2_500).clamp(4, 40);
    let device_id = store.device_id().to_owned();
    let w = store.seed_writer()?;
    let mut generator = Generator {
        w: &w,
        rng: &mut rng,
        policy,
        midnight: local_time(opts.today, 0, 0),
        now: generator_now(opts.now),
        techs: Vec::new(),
        types: Vec::new(),
        parts: Vec::new(),
        customers: Vec::new(),
        households: Vec::new(),
        serial: 0,
        newest_stamp: Hlc::zero(HEAD_OFFICE),
    };
    generator.catalogues(techs_n)?;
    let slots = plan_slots(generator.rng, opts, techs_n);
    for slot in &slots {
        generator.job(slot)?;
    }
    let device_tech = generator.techs[0].clone();
    let articles = demo_articles(opts.seed, generator_now(opts.now))?;
    for a in &articles {
        w.kb_article(a)?;
    }
    let summary = SeedSummary {
        jobs: slots.len(),
        customers: generator.customers.len(),
        technicians: generator.techs.len(),
        device_technician_id: device_tech.id.clone(),
        device_technician_name: device_tech.name.clone(),
        today_jobs_for_device_technician: slots
            .iter()
            .filter(|s| matches!(s.when, When::Today(_)) && s.technician == Some(0))
            .count(),
        articles: articles.len(),
    };
    w.index_jobs()?;
    // The device has now seen head office's history: its clock moves past the newest stamp, so
    // whatever it records next sorts after that history even if its wall clock is behind.
    let clock = Hlc::zero(&device_id).receive(&generator.newest_stamp, opts.now.timestamp_millis());
    w.set_meta("hlc", &clock.to_string())?;
    w.set_meta("job_serial", &generator.serial.to_string())?;
    w.set_meta("technician_id", &device_tech.id)?;
    w.set_meta("company_name", "Huaxin Home Services 华信家电服务")?;
    w.set_meta("company_address", "88 Century Avenue, Pudong, Shanghai · +86 21 5555 0100")?;
    w.commit()?;
    store.finish_bulk_load()?;
    store.set_device_technician(&device_tech.id)?;
    Ok(summary)
}

/// One status change of a seeded job: from, to, reason, who, when.
type Step = (Option<JobStatus>, JobStatus, Option<String>, String, DateTime<Utc>);

/// A seeded job and what its history is generated from.
#[derive(Clone, Copy)]
struct SeededJob<'a> {
    /// When the technician arrives (the appointment, moved earlier if it would end after now).
    start: DateTime<Utc>,
    travel: Duration,
    labour: Duration,
    seq: i64,
    order: &'a WorkOrder,
    customer_name: &'a str,
    slot: &'a Slot,
    category: EquipmentCategory,
    chinese: bool,
    jt: usize,
}

struct Generator<'a, 'w> {
    w: &'a SeedWriter<'w>,
    rng: &'a mut ChaCha8Rng,
    policy: SlaPolicy,
    /// Local midnight at the start of `opts.today`: the anchor of everything time-based, so the
    /// same seed gives the same data all day.
    midnight: DateTime<Utc>,
    /// See [`generator_now`].
    now: DateTime<Utc>,
    techs: Vec<Technician>,
    types: Vec<JobType>,
    parts: Vec<Part>,
    customers: Vec<Customer>,
    households: Vec<Household>,
    serial: u64,
    newest_stamp: Hlc,
}

impl Generator<'_, '_> {
    /// A head-office clock stamp for a seeded fact; remembers the newest one.
    fn stamp(&mut self, at: DateTime<Utc>, logical: u32) -> String {
        let wall_ms = at.timestamp_millis();
        if (wall_ms, logical) > (self.newest_stamp.wall_ms, self.newest_stamp.logical) {
            self.newest_stamp.wall_ms = wall_ms;
            self.newest_stamp.logical = logical;
        }
        Hlc { wall_ms, logical, node: String::from(HEAD_OFFICE) }.to_string()
    }

    fn catalogues(&mut self, techs: usize) -> Result<()> {
        let epoch = self.midnight - Duration::days(3 * 365);
        let names = content::technician_names();
        for i in 0..techs {
            let (name, chinese) = names[i % names.len()].clone();
            let name =
                if i >= names.len() { format!("{name} {}", i / names.len() + 1) } else { name };
            let mut skills: Vec<String> = EquipmentCategory::ALL
                .choose_multiple(self.rng, 4)
                .map(|c| c.as_str().to_owned())
                .collect();
            skills.sort();
            let t = Technician {
                id: id_at(self.rng, epoch),
                phone: Some(content::phone(self.rng, chinese)),
                email: Some(format!("tech{:02}@fieldwork.example", i + 1)),
                name,
                skills,
                active: true,
            };
            self.w.technician(&t)?;
            self.techs.push(t);
        }
        for t in content::job_type_templates() {
            let jt = JobType {
                id: id_at(self.rng, epoch),
                code: t.code.to_owned(),
                name: t.name.to_owned(),
                name_zh: t.name_zh.to_owned(),
                required_photo_kinds: t.required_photo_kinds,
                checklist: t.checklist,
            };
            self.w.job_type(&jt)?;
            self.types.push(jt);
        }
        for p in content::parts_catalogue() {
            self.w.catalogue_part(&p)?;
            self.parts.push(p);
        }
        Ok(())
    }

    /// A household for the next job: often a returning customer, otherwise a new one.
    fn household(&mut self, at: DateTime<Utc>) -> Result<usize> {
        if !self.households.is_empty() && self.rng.gen_bool(0.3) {
            return Ok(self.rng.gen_range(0..self.households.len()));
        }
        let chinese = self.rng.gen_bool(0.5);
        let created_at = at - Duration::days(self.rng.gen_range(1..400));
        let customer = Customer {
            id: id_at(self.rng, created_at),
            name: content::customer_name(self.rng, chinese),
            phone: content::phone(self.rng, chinese),
            alt_phone: self.rng.gen_bool(0.2).then(|| content::phone(self.rng, chinese)),
            email: None,
            created_at,
        };
        self.w.customer(&customer)?;
        let address = content::address(self.rng, chinese);
        let site = Site {
            id: id_at(self.rng, created_at),
            customer_id: customer.id.clone(),
            address: address.line,
            city: address.city,
            postal_code: Some(address.postal_code),
            access_notes: address.access_notes,
            contact_name: None,
            contact_phone: None,
        };
        self.w.site(&site)?;
        self.customers.push(customer);
        self.households.push(Household {
            customer: self.customers.len() - 1,
            site_id: site.id,
            chinese,
            equipment: Vec::new(),
            last_job: None,
        });
        Ok(self.households.len() - 1)
    }

    fn new_equipment(&mut self, h: usize, installed: NaiveDate) -> Result<usize> {
        let a = content::appliance(self.rng);
        let purchased_on = installed - Duration::days(self.rng.gen_range(0..20));
        let mut warranty_end = sla::default_warranty_end(Some(purchased_on), Some(installed));
        if self.rng.gen_bool(0.15) {
            // Extended warranty.
            warranty_end = warranty_end.and_then(|d| d.checked_add_months(chrono::Months::new(24)));
        }
        let e = Equipment {
            id: id_at(self.rng, local_time(installed, 9, 0)),
            site_id: self.households[h].site_id.clone(),
            category: a.category,
            brand: a.brand.to_owned(),
            model: a.model,
            serial: a.serial,
            purchased_on: Some(purchased_on),
            installed_on: Some(installed),
            warranty_end,
        };
        self.w.equipment(&e)?;
        self.households[h].equipment.push((e.id, e.category, warranty_end));
        Ok(self.households[h].equipment.len() - 1)
    }

    fn job(&mut self, slot: &Slot) -> Result<()> {
        let rng_code = weighted(
            self.rng,
            &[
                ("repair", 50),
                ("installation", 20),
                ("maintenance", 15),
                ("inspection", 8),
                ("return_visit", 7),
            ],
        );
        let h = self.household(slot.start)?;
        let code = if rng_code == "return_visit" && self.households[h].last_job.is_none() {
            "repair"
        } else {
            rng_code
        };
        let priority = weighted(
            self.rng,
            &[
                (Priority::Urgent, 5),
                (Priority::High, 20),
                (Priority::Normal, 60),
                (Priority::Low, 15),
            ],
        );
        let lead_minutes = match priority {
            Priority::Urgent => self.rng.gen_range(30..200),
            Priority::High => self.rng.gen_range(120..1_200),
            _ => self.rng.gen_range(600..4_000),
        };
        let status = self.status_for(slot);
        let travel = Duration::minutes(self.rng.gen_range(10..70));
        let labour = Duration::minutes(self.rng.gen_range(25..200));
        // Work that has happened lies in the past: when the planned timeline of a job under way
        // or done today would end after now, the whole visit moves earlier.
        let latest = self.now - Duration::minutes(1);
        let five = Duration::minutes(5);
        let planned_end = match status {
            JobStatus::EnRoute => Some(slot.start - travel),
            JobStatus::OnSite => Some(slot.start),
            JobStatus::InProgress => Some(slot.start + five),
            JobStatus::OnHold | JobStatus::Completed | JobStatus::Closed => {
                Some(slot.start + five + labour)
            }
            JobStatus::New | JobStatus::Scheduled | JobStatus::Cancelled => None,
        };
        let shift =
            planned_end.map_or(Duration::zero(), |end| (end - latest).max(Duration::zero()));
        let start = slot.start - shift;
        let reported_at = if slot.when == When::Unscheduled {
            self.midnight - Duration::minutes(self.rng.gen_range(10..2_000))
        } else {
            // Jobs booked ahead were reported before now, however far ahead the booking is.
            (start - Duration::minutes(lead_minutes))
                .min(self.now - Duration::minutes(30 + lead_minutes % 600))
        };
        let chinese = self.households[h].chinese;
        let eq = if code == "installation" || self.households[h].equipment.is_empty() {
            let installed = if code == "installation" {
                slot.start.date_naive()
            } else {
                reported_at.date_naive() - Duration::days(self.rng.gen_range(30..1_500))
            };
            self.new_equipment(h, installed)?
        } else {
            self.rng.gen_range(0..self.households[h].equipment.len())
        };
        let (equipment_id, category, warranty_end) = self.households[h].equipment[eq].clone();
        let jt_index = self.types.iter().position(|t| t.code == code).unwrap_or(0);
        let warranty = match sla::warranty_status(warranty_end, reported_at.date_naive()) {
            WarrantyStatus::OutOfWarranty if self.rng.gen_bool(0.05) => WarrantyStatus::Goodwill,
            w => w,
        };
        let deadlines = self.policy.deadlines(
            priority,
            reported_at,
            code == "repair" && warranty == WarrantyStatus::InWarranty,
        );
        let problem = match code {
            "installation" => content::installation_request(self.rng, category, chinese),
            _ => content::problem(self.rng, category, chinese),
        };
        self.serial += 1;
        let year = reported_at.year();
        let id = id_at(self.rng, reported_at);
        let dispatcher = content::DISPATCHERS[self.rng.gen_range(0..content::DISPATCHERS.len())];
        let worked =
            !matches!(status, JobStatus::New | JobStatus::Scheduled | JobStatus::Cancelled);
        let done = matches!(status, JobStatus::Completed | JobStatus::Closed);
        let duration = Duration::minutes(self.rng.gen_range(2..6) * 30);
        let mut order = WorkOrder {
            id: id.clone(),
            number: crate::ids::job_number(year, self.serial),
            job_type_id: self.types[jt_index].id.clone(),
            priority,
            status,
            customer_id: self.customers[self.households[h].customer].id.clone(),
            site_id: self.households[h].site_id.clone(),
            equipment_id: Some(equipment_id),
            reported_problem: problem,
            reported_at,
            appointment_start: slot.technician.map(|_| slot.start),
            appointment_end: slot.technician.map(|_| {
                slot.ends_by.map_or(slot.start + duration, |e| e.min(slot.start + duration))
            }),
            assignee_id: slot.technician.map(|t| self.techs[t].id.clone()),
            owner_dispatcher: dispatcher.to_owned(),
            ack_due_at: deadlines.ack_due_at,
            due_at: deadlines.due_at,
            complete_due_at: deadlines.complete_due_at,
            warranty_status: warranty,
            chargeable: warranty.is_chargeable(),
            diagnosis: worked.then(|| content::diagnosis(self.rng, category, chinese)),
            resolution: done.then(|| content::resolution(self.rng, category, chinese)),
            signature_absence_reason: None,
            return_of: (code == "return_visit")
                .then(|| self.households[h].last_job.clone())
                .flatten(),
            created_at: reported_at,
            updated_at: reported_at,
        };
        if done && self.rng.gen_bool(0.15) {
            order.signature_absence_reason = Some(String::from(if chinese {
                "客户不在家，由家人代收"
            } else {
                "Customer not at home; a family member was present"
            }));
        }
        order.updated_at = match order.status {
            JobStatus::New | JobStatus::Scheduled => order.reported_at,
            _ => start.min(self.now).max(order.reported_at),
        };
        let seq = self.w.work_order(&order)?;
        let customer_name = self.customers[self.households[h].customer].name.clone();
        let job = SeededJob {
            start,
            travel,
            labour,
            seq,
            order: &order,
            customer_name: &customer_name,
            slot,
            category,
            chinese,
            jt: jt_index,
        };
        self.history_rows(&job)?;
        self.households[h].last_job = Some(id);
        Ok(())
    }

    fn status_for(&mut self, slot: &Slot) -> JobStatus {
        let age_days = (self.now - slot.start).num_days();
        match slot.when {
            When::Unscheduled => JobStatus::New,
            When::Future => JobStatus::Scheduled,
            When::Today(Progress::Planned) => JobStatus::Scheduled,
            When::Today(Progress::Done) => JobStatus::Completed,
            // Spread the moves under way over the team so every status is present.
            When::Today(Progress::UnderWay) => match slot.technician.unwrap_or(0) % 3 {
                0 => JobStatus::EnRoute,
                1 => JobStatus::OnSite,
                _ => JobStatus::InProgress,
            },
            When::Past if age_days < 10 => weighted(
                self.rng,
                &[
                    (JobStatus::Completed, 60),
                    (JobStatus::Closed, 25),
                    (JobStatus::OnHold, 8),
                    (JobStatus::Cancelled, 7),
                ],
            ),
            When::Past => weighted(
                self.rng,
                &[(JobStatus::Closed, 92), (JobStatus::Completed, 3), (JobStatus::Cancelled, 5)],
            ),
        }
    }

    /// Status history, time, checklist, notes, parts and feedback of a job, consistent with its
    /// status and with the lifecycle rules.
    fn history_rows(&mut self, job: &SeededJob<'_>) -> Result<()> {
        let SeededJob {
            start,
            travel,
            labour,
            seq,
            order: o,
            customer_name,
            slot,
            category,
            chinese,
            jt,
        } = *job;
        let latest = self.now - Duration::minutes(1);
        let actor_tech = slot.technician.map(|t| self.techs[t].name.clone()).unwrap_or_default();
        let mut at = o.reported_at;
        let mut logical = 0;
        let mut steps: Vec<Step> =
            vec![(None, JobStatus::New, None, o.owner_dispatcher.clone(), at)];
        let path: &[JobStatus] = match o.status {
            JobStatus::New => &[],
            JobStatus::Scheduled => &[JobStatus::Scheduled],
            JobStatus::EnRoute => &[JobStatus::Scheduled, JobStatus::EnRoute],
            JobStatus::OnSite => &[JobStatus::Scheduled, JobStatus::EnRoute, JobStatus::OnSite],
            JobStatus::InProgress => &[
                JobStatus::Scheduled,
                JobStatus::EnRoute,
                JobStatus::OnSite,
                JobStatus::InProgress,
            ],
            JobStatus::OnHold => &[
                JobStatus::Scheduled,
                JobStatus::EnRoute,
                JobStatus::OnSite,
                JobStatus::InProgress,
                JobStatus::OnHold,
            ],
            JobStatus::Completed => &[
                JobStatus::Scheduled,
                JobStatus::EnRoute,
                JobStatus::OnSite,
                JobStatus::InProgress,
                JobStatus::Completed,
            ],
            JobStatus::Closed => &[
                JobStatus::Scheduled,
                JobStatus::EnRoute,
                JobStatus::OnSite,
                JobStatus::InProgress,
                JobStatus::Completed,
                JobStatus::Closed,
            ],
            JobStatus::Cancelled => &[JobStatus::Scheduled, JobStatus::Cancelled],
        };
        let mut prev = JobStatus::New;
        let mut entered: Option<DateTime<Utc>> = None;
        for &to in path {
            let (by, when, reason) = match to {
                JobStatus::Scheduled => (
                    o.owner_dispatcher.clone(),
                    o.reported_at + Duration::minutes(self.rng.gen_range(3..28)),
                    None,
                ),
                JobStatus::EnRoute => (actor_tech.clone(), start - travel, None),
                JobStatus::OnSite => (actor_tech.clone(), start, None),
                JobStatus::InProgress => (actor_tech.clone(), start + Duration::minutes(5), None),
                JobStatus::OnHold => (
                    actor_tech.clone(),
                    start + Duration::minutes(5) + labour,
                    Some(content::hold_reason(self.rng, chinese)),
                ),
                JobStatus::Completed => {
                    (actor_tech.clone(), start + Duration::minutes(5) + labour, None)
                }
                JobStatus::Closed => (
                    o.owner_dispatcher.clone(),
                    (start + Duration::days(self.rng.gen_range(2..6))).min(latest),
                    None,
                ),
                JobStatus::Cancelled => (
                    o.owner_dispatcher.clone(),
                    at + Duration::hours(self.rng.gen_range(1..20)),
                    Some(String::from(if chinese {
                        "客户取消预约"
                    } else {
                        "Customer cancelled the appointment"
                    })),
                ),
                JobStatus::New => continue,
            };
            let when = when.min(latest).max(at);
            steps.push((Some(prev), to, reason, by, when));
            if let Some(d) = crate::lifecycle::derived_time_entry(prev, to, entered, when) {
                logical += 1;
                let te = TimeEntry {
                    id: id_at(self.rng, d.ended_at),
                    job_id: o.id.clone(),
                    kind: d.kind,
                    started_at: d.started_at,
                    ended_at: d.ended_at,
                    minutes: (d.ended_at - d.started_at).num_minutes(),
                    source: TimeEntrySource::Derived,
                    supersedes: None,
                    created_at: d.ended_at,
                };
                self.w.time_entry(seq, &te, &self.stamp(d.ended_at, logical))?;
            }
            entered = Some(when);
            prev = to;
            at = when;
        }
        for (from, to, reason, actor, when) in steps {
            logical += 1;
            let s = StatusChange {
                id: id_at(self.rng, when),
                job_id: o.id.clone(),
                from_status: from,
                to_status: to,
                reason,
                actor,
                at: when,
            };
            self.w.status_change(seq, &s, &self.stamp(when, logical))?;
        }
        let worked = o.diagnosis.is_some();
        if !worked {
            return Ok(());
        }
        let work_at = (start + Duration::minutes(20)).min(latest);
        let done = o.resolution.is_some();
        let checklist: Vec<_> = self.types[jt].checklist_for(Some(category)).cloned().collect();
        for item in &checklist {
            // Required items are all answered on finished jobs and about half on jobs under way;
            // optional ones only sometimes, as technicians do.
            let answered = if item.required {
                done || self.rng.gen_bool(0.5)
            } else {
                done && self.rng.gen_bool(0.4)
            };
            if !answered {
                continue;
            }
            let value = match item.kind {
                ChecklistItemKind::Checkbox => ChecklistValue::Checkbox(true),
                ChecklistItemKind::Number => ChecklistValue::Number(match item.unit.as_deref() {
                    Some("V") => f64::from(self.rng.gen_range(218..236)),
                    Some("bar") => f64::from(self.rng.gen_range(20..35)) / 10.0,
                    _ => f64::from(self.rng.gen_range(1..100)),
                }),
                ChecklistItemKind::Choice => {
                    ChecklistValue::Choice(item.options.first().cloned().unwrap_or_default())
                }
                ChecklistItemKind::Text => {
                    ChecklistValue::Text(String::from(if chinese { "正常" } else { "OK" }))
                }
            };
            logical += 1;
            self.w.checklist_answer(
                seq,
                &item.key,
                &value,
                work_at,
                &self.stamp(work_at, logical),
            )?;
        }
        for _ in 0..self.rng.gen_range(0..3) {
            logical += 1;
            let n = Note {
                id: id_at(self.rng, work_at),
                job_id: o.id.clone(),
                author: actor_tech.clone(),
                body: content::technician_note(self.rng, chinese),
                created_at: work_at,
            };
            self.w.note(seq, &n, &self.stamp(work_at, logical))?;
        }
        if matches!(self.types[jt].code.as_str(), "repair" | "maintenance" | "return_visit") {
            let prefix = format!("{}-", content::part_prefix(category));
            let candidates: Vec<Part> = self
                .parts
                .iter()
                .filter(|p| p.part_no.starts_with(&prefix) || p.part_no.starts_with("GEN-"))
                .cloned()
                .collect();
            let count = if candidates.is_empty() { 0 } else { self.rng.gen_range(0..3) };
            for _ in 0..count {
                let p = candidates[self.rng.gen_range(0..candidates.len())].clone();
                let quantity = f64::from(self.rng.gen_range(1..3));
                logical += 1;
                let line = PartUsed {
                    id: id_at(self.rng, work_at),
                    job_id: o.id.clone(),
                    part_no: p.part_no.clone(),
                    description: p.description.clone(),
                    quantity,
                    unit_price_cents: p.unit_price_cents,
                    chargeable: o.chargeable,
                    from_catalogue: true,
                    line_total_cents: crate::money::line_total(quantity, p.unit_price_cents),
                    created_at: work_at,
                };
                self.w.part_used(seq, &line, &self.stamp(work_at, logical))?;
            }
        }
        if done && o.signature_absence_reason.is_none() {
            // The customer signed at completion (demo signatures have no picture). The writer
            // records the hash of the job's signed facts as written above.
            let signed_at = (start + Duration::minutes(5) + labour).min(latest);
            logical += 1;
            let sig = SignatureRef {
                id: id_at(self.rng, signed_at),
                job_id: o.id.clone(),
                signer_name: customer_name.to_owned(),
                statement: None,
                signed_at,
                summary_sha256: String::new(),
                png_sha256: None,
                changed_after_signing: false,
                superseded: false,
            };
            self.w.signature(seq, &sig, &self.stamp(signed_at, logical))?;
        }
        if done && self.rng.gen_bool(0.7) {
            let rating = weighted(self.rng, &[(5u8, 55), (4, 28), (3, 9), (2, 5), (1, 3)]);
            let fb_at = (start + Duration::minutes(5) + labour).min(latest);
            logical += 1;
            let fb = Feedback {
                id: id_at(self.rng, fb_at),
                job_id: o.id.clone(),
                rating,
                comment: content::feedback_comment(self.rng, rating, chinese),
                created_at: fb_at,
            };
            self.w.feedback(seq, &fb, &self.stamp(fb_at, logical))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::schedule::Window;
    use crate::store::JobFilter;

    #[test]
    fn no_technician_is_booked_twice_at_once() {
        for (jobs, seed_no) in [(40, 1), (400, 7), (1_200, 11)] {
            let mut store = Store::open_in_memory().unwrap();
            let now = DateTime::parse_from_rfc3339("2026-12-07T10:30:00+08:00").unwrap().to_utc();
            let opts = SeedOptions { jobs, seed: seed_no, today: now.date_naive(), now };
            seed(&mut store, &opts).unwrap();
            let mut by_tech: HashMap<String, Vec<(String, Window)>> = HashMap::new();
            for j in store.list_jobs(&JobFilter::All, None).unwrap() {
                if let (Some(tech), Some(s), Some(e)) =
                    (j.assignee_name, j.appointment_start, j.appointment_end)
                {
                    by_tech.entry(tech).or_default().push((j.number, Window::new(s, e)));
                }
            }
            assert!(!by_tech.is_empty());
            for (tech, mut booked) in by_tech {
                booked.sort_by_key(|(_, w)| w.start);
                for pair in booked.windows(2) {
                    assert!(
                        !pair[0].1.overlaps(&pair[1].1),
                        "{tech} is booked twice at once: {} and {} (seed {seed_no}, {jobs} jobs)",
                        pair[0].0,
                        pair[1].0
                    );
                }
            }
        }
    }
}

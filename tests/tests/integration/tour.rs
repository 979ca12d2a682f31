//! The README's two-minute tour, run as written: the ```sh block of its "A two-minute tour"
//! section is taken from README.md, a small demo district is loaded with the same seeding
//! code, and bash runs the block against the test's server (`api` pointed at it, `cargo` a
//! function that does nothing). Every step (each `# …` comment starts one) must print
//! something, exit cleanly, and the steps about jobs must name a posting of the district.

use doorstep_api::demo::{self, DemoArgs};
use doorstep_tests::{Backend, on_both_databases, spawn_app_after};

on_both_databases!(the_readme_tour_shows_something_at_every_step);

const README: &str = include_str!("../../../README.md");

/// The tour's shell block.
fn tour_block() -> &'static str {
    let section = README
        .split_once("## A two-minute tour")
        .expect("the README has the tour")
        .1;
    let block = section
        .split_once("```sh\n")
        .expect("the tour has a sh block")
        .1;
    block.split_once("```").expect("the block ends").0
}

/// One step: its comment and its commands.
struct Step {
    title: String,
    commands: String,
}

/// The lines before the first step, and the steps.
fn steps(block: &str) -> (String, Vec<Step>) {
    let mut preamble = String::new();
    let mut steps: Vec<Step> = Vec::new();
    for line in block.lines() {
        if let Some(title) = line.strip_prefix("# ") {
            steps.push(Step {
                title: title.to_owned(),
                commands: String::new(),
            });
        } else if let Some(step) = steps.last_mut() {
            step.commands.push_str(line);
            step.commands.push('\n');
        } else {
            preamble.push_str(line);
            preamble.push('\n');
        }
    }
    (preamble, steps)
}

/// The password the tour exports, which the demo is loaded with.
fn tour_password(preamble: &str) -> String {
    preamble
        .lines()
        .find_map(|l| l.strip_prefix("export DOORSTEP_DEMO_PASSWORD="))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the tour exports DOORSTEP_DEMO_PASSWORD")
        .to_owned()
}

async fn the_readme_tour_shows_something_at_every_step(backend: Backend) {
    let (preamble, steps) = steps(tour_block());
    assert!(steps.len() >= 8, "the tour has its steps");
    let password = tour_password(&preamble);
    let args = DemoArgs {
        seed: 2026,
        businesses: 80,
        postings: 480,
        seekers: 320,
        password: Some(password),
    };
    let app = spawn_app_after(backend, async |settings| {
        demo::run(settings, args).await.expect("the demo loads");
    })
    .await;
    app.wait_for_index().await;

    // The block as written, with the server's address and without building or starting
    // anything: `cargo` does nothing.
    let api_line = "api=http://127.0.0.1:8080/api/v1";
    assert!(preamble.contains(api_line), "{preamble}");
    let preamble = preamble.replace(api_line, &format!("api={}/api/v1", app.address));
    let mut script = String::from("set -o pipefail\ncargo() { :; }\n");
    script.push_str(&preamble);
    for (i, step) in steps.iter().enumerate() {
        script.push_str(&format!(
            "echo '@@step {i}'\n{}echo \"@@status $?\"\n",
            step.commands
        ));
    }
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("bash")
            .arg("-c")
            .arg(script)
            .env_remove("DOORSTEP_DEMO_PASSWORD")
            .output()
            .expect("bash runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stdout}\n{stderr}");

    let titles: Vec<String> = {
        use doorstep_domain::entities::posting;
        use sea_orm::{EntityTrait, QuerySelect};
        posting::Entity::find()
            .select_only()
            .column(posting::Column::Title)
            .into_tuple()
            .all(&app.db)
            .await
            .unwrap()
    };
    let mut outputs = stdout.split("@@step ").skip(1);
    for (i, step) in steps.iter().enumerate() {
        let chunk = outputs
            .next()
            .unwrap_or_else(|| panic!("step {i} ({}) did not run: {stderr}", step.title));
        let (_, rest) = chunk.split_once('\n').unwrap_or((chunk, ""));
        let (printed, status) = rest
            .rsplit_once("@@status ")
            .unwrap_or_else(|| panic!("step {}: {rest}", step.title));
        assert_eq!(
            status.trim(),
            "0",
            "step «{}» failed:\n{printed}\n{stderr}",
            step.title
        );
        let lines: Vec<&str> = printed.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(
            !lines.is_empty(),
            "step «{}» printed nothing\n{stderr}",
            step.title
        );
        // Steps that print a job's title must name one of the district's postings.
        if step.commands.contains("title") {
            assert!(
                lines
                    .iter()
                    .any(|l| titles.iter().any(|t| l.contains(t.as_str()))),
                "step «{}» names no posting:\n{printed}",
                step.title
            );
        }
        if step.commands.contains("\"action\":\"apply\"") {
            assert!(printed.contains("applied"), "{printed}");
        }
        if step.commands.contains("figures.csv") {
            let filled = lines
                .iter()
                .find(|l| l.contains(",filled_postings,"))
                .and_then(|l| l.rsplit(',').next())
                .and_then(|v| v.trim().parse::<f64>().ok())
                .unwrap_or(0.0);
            assert!(
                filled > 0.0,
                "the tour's district has filled postings:\n{printed}"
            );
        }
    }
    // No helper choked on an answer (a step can print something and still fail half-way).
    assert!(!stderr.contains("Traceback"), "{stdout}\n{stderr}");
}

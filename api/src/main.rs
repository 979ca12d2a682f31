use clap::Parser;
use doorstep_api::cli::{self, Cli};
use doorstep_api::{Settings, telemetry};

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load().map_err(|err| anyhow::anyhow!("configuration: {err}"))?;
    telemetry::init(settings.log_format, &settings.log_level);
    cli::run(cli, settings).await
}

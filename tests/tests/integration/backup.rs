//! `doorstep backup`: an online copy of the SQLite database, taken while the server serves
//! writes, restores to a sound database holding every write acknowledged before it began.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use doorstep_api::services::backup;
use doorstep_tests::market::posting_body;
use doorstep_tests::{Backend, on_both_databases, spawn_app, spawn_app_with};
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use uuid::Uuid;

on_both_databases!(a_backup_taken_while_writing_restores_every_acknowledged_write);

async fn a_backup_taken_while_writing_restores_every_acknowledged_write(backend: Backend) {
    let app = spawn_app(backend).await;
    let folder = std::env::temp_dir().join(format!("doorstep-backup-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&folder).unwrap();
    let file = folder.join("doorstep-backup.db");
    if backend == Backend::Postgres {
        // PostgreSQL has its own tools; the command says which and writes nothing.
        let refused = backup::to_file(&app.settings, &file).await.unwrap_err();
        assert!(refused.to_string().contains("pg_dump"), "{refused:#}");
        assert!(!file.exists());
        std::fs::remove_dir_all(&folder).unwrap();
        return;
    }

    // A merchant keeps creating postings through the API while the backup runs.
    let officer = app.officer().await;
    let shop = app.verified_shop("13811112222", &officer).await;
    let merchant = app.as_user(&shop.merchant);
    let acknowledged: Arc<Mutex<Vec<Uuid>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = tokio::spawn({
        let (acknowledged, stop, business) = (acknowledged.clone(), stop.clone(), shop.business_id);
        async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let created = merchant
                    .create_posting(business, &posting_body(&format!("收银员 {n} 号")))
                    .await
                    .expect("the merchant creates a posting");
                acknowledged.lock().unwrap().push(created.id);
            }
        }
    });
    while acknowledged.lock().unwrap().len() < 5 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    let before = acknowledged.lock().unwrap().clone();
    let (written, bytes) = backup::to_file(&app.settings, &file)
        .await
        .expect("the backup is written while the server writes");
    assert_eq!(written, file);
    assert!(bytes > 0);
    // The writes go on after it too.
    let during = acknowledged.lock().unwrap().len();
    while acknowledged.lock().unwrap().len() < during + 3 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();

    // A backup never overwrites a file.
    let copy = std::fs::read(&file).unwrap();
    let again = backup::to_file(&app.settings, &file).await.unwrap_err();
    assert!(again.to_string().contains("already exists"), "{again:#}");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        copy,
        "the first backup is untouched"
    );

    // Restore as the README says: the copy becomes the database file of a new data folder.
    let data = folder.join("restored");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::copy(&file, data.join("doorstep.db")).unwrap();
    let restored = spawn_app_with(backend, |s| {
        s.database_url = Some(format!(
            "sqlite://{}?mode=rw",
            data.join("doorstep.db").display()
        ))
    })
    .await;
    let check = restored
        .db
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await
        .unwrap()
        .expect("a row");
    assert_eq!(check.try_get_by_index::<String>(0).unwrap(), "ok");
    // Every write acknowledged before the backup began is there, readable through the API
    // of a server running on the restored database (the merchant's token still holds).
    let merchant = restored.as_user(&shop.merchant);
    for id in &before {
        let posting = merchant
            .posting(*id)
            .await
            .unwrap_or_else(|e| panic!("posting {id}, acknowledged before the backup: {e}"));
        assert!(posting.title.starts_with("收银员"));
    }
    drop(restored);
    std::fs::remove_dir_all(&folder).unwrap();
}

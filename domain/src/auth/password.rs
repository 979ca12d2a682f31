//! Password hashing with Argon2id at the OWASP-recommended cost (19 MiB, 2 passes, 1 lane).
//!
//! Every hash and every check goes through one [`HashPool`]: a fixed set of worker threads
//! (by default one per core) behind a short queue. One hash needs 19 MiB and tens of
//! milliseconds of CPU; run without a bound, 200 sign-ups at once took the server to 3.8 GB
//! and a cheap GET from 2 ms to 600 ms. With the pool at most `workers` hashes run at once,
//! each worker reuses one block buffer (so peak memory is `workers × 19 MiB` and nothing is
//! handed back to malloc to linger in per-thread arenas), and a request that finds the queue
//! full, or waits in it too long, is refused with [`DomainError::Busy`] instead.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};
use tokio::sync::oneshot;

use crate::DomainError;
use crate::types::NewPassword;

fn params() -> Params {
    Params::new(19 * 1024, 2, 1, None).expect("OWASP argon2 parameters are valid")
}

/// How many hashes may run at once and how long a request may queue for one.
#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    /// Worker threads, each hashing one password at a time; 0 means one per core.
    pub workers: usize,
    /// Requests that may wait for a worker; beyond them a request is refused at once.
    pub queue: usize,
    /// A queued request that has not started by then is refused.
    pub max_wait: Duration,
}

type Task = Box<dyn FnOnce(Option<&mut Vec<Block>>) + Send>;

struct Job {
    queued_at: Instant,
    /// Runs the work with the worker's memory, or (with `None`) answers that it waited too
    /// long.
    task: Task,
}

/// The password hashing pool. It is held in the application state and passed to whatever
/// hashes or checks a password, so one process has one bound (and tests can each have their
/// own). Cloning shares the pool; the workers stop when the last clone is dropped.
///
/// The bound is a set of dedicated threads rather than a semaphore in front of the blocking
/// pool: the same effect (at most `workers` hashes at once), but every hash then runs on a
/// thread that owns one reusable 19 MiB buffer, which is what keeps memory flat.
#[derive(Clone)]
pub struct HashPool {
    jobs: SyncSender<Job>,
    retry_after_secs: u64,
}

impl std::fmt::Debug for HashPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashPool").finish_non_exhaustive()
    }
}

impl HashPool {
    pub fn new(settings: PoolSettings) -> Self {
        let workers = match settings.workers {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let (jobs, queue) = sync_channel::<Job>(settings.queue);
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..workers {
            let queue = queue.clone();
            let max_wait = settings.max_wait;
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || work(&queue, max_wait))
                .expect("a password hashing thread starts");
        }
        Self {
            jobs,
            retry_after_secs: settings.max_wait.as_secs_f64().ceil().max(1.0) as u64,
        }
    }

    /// Hashes a new password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
    pub async fn hash(&self, password: NewPassword) -> Result<String, DomainError> {
        self.run(move |memory| hash_with(memory, password.expose()))
            .await?
    }

    /// Checks `candidate` against `hash`; with no hash (no such account) it does the same
    /// work against a dummy hash and answers `false`, so timing tells nothing.
    pub async fn verify(
        &self,
        hash: Option<String>,
        candidate: String,
    ) -> Result<bool, DomainError> {
        self.run(move |memory| match hash {
            Some(hash) => verify_with(memory, &hash, &candidate),
            None => {
                let dummy = dummy_hash(memory);
                verify_with(memory, dummy, &candidate);
                false
            }
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, DomainError> {
        let retry_after_secs = self.retry_after_secs;
        let (reply, answer) = oneshot::channel();
        let task: Task = Box::new(move |memory| {
            // The request was dropped (the client went away): no one wants the answer.
            if reply.is_closed() {
                return;
            }
            let _ = reply.send(match memory {
                Some(memory) => Ok(work(memory)),
                None => Err(DomainError::Busy { retry_after_secs }),
            });
        });
        let job = Job {
            queued_at: Instant::now(),
            task,
        };
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                tracing::warn!("password hashing queue full; refusing the request");
                return Err(DomainError::Busy { retry_after_secs });
            }
            Err(TrySendError::Disconnected(_)) => {
                return Err(DomainError::internal(
                    "the password hashing workers stopped",
                ));
            }
        }
        answer
            .await
            .map_err(|_| DomainError::internal("a password hashing task failed"))?
    }
}

fn work(queue: &Mutex<Receiver<Job>>, max_wait: Duration) {
    let mut memory = Vec::new();
    loop {
        let job = {
            let Ok(queue) = queue.lock() else { return };
            match queue.recv() {
                Ok(job) => job,
                // Every sender is gone: the pool was dropped.
                Err(_) => return,
            }
        };
        let fresh = job.queued_at.elapsed() <= max_wait;
        if !fresh {
            tracing::warn!("a password hashing request waited too long; refusing it");
        }
        // A panic drops the reply (the request answers 500) but must not cost a worker.
        let task = job.task;
        let outcome =
            std::panic::catch_unwind(AssertUnwindSafe(|| task(fresh.then_some(&mut memory))));
        if outcome.is_err() {
            tracing::error!("a password hashing task panicked");
        }
    }
}

/// Runs `f` on `count` blocks of the worker's buffer, growing it up to the standard cost.
/// A stored hash of a higher cost (none today) gets a buffer of its own, so one odd hash
/// does not raise every worker's memory for good.
fn with_blocks<T>(memory: &mut Vec<Block>, count: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
    if count <= params().block_count() {
        if memory.len() < count {
            memory.resize(count, Block::default());
        }
        f(&mut memory[..count])
    } else {
        f(&mut vec![Block::default(); count])
    }
}

fn hash_with(memory: &mut Vec<Block>, password: &str) -> Result<String, DomainError> {
    let failed = |err: &dyn std::fmt::Display| {
        DomainError::internal_from("password hashing failed", err.to_string())
    };
    let params = params();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .as_salt()
        .decode_b64(&mut salt_bytes)
        .map_err(|e| failed(&e))?;
    let output = with_blocks(memory, params.block_count(), |blocks| {
        Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
            argon2
                .hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, blocks)
                .map_err(Into::into)
        })
    })
    .map_err(|e| failed(&e))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| failed(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

fn verify_with(memory: &mut Vec<Block>, hash: &str, candidate: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(argon2), Some(salt), Some(expected)) = (hasher_of(&parsed), parsed.salt, parsed.hash)
    else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let computed = with_blocks(memory, argon2.params().block_count(), |blocks| {
        Output::init_with(expected.len(), |out| {
            argon2
                .hash_password_into_with_memory(candidate.as_bytes(), salt_bytes, out, blocks)
                .map_err(Into::into)
        })
    });
    // `Output` compares in constant time.
    computed.is_ok_and(|computed| computed == expected)
}

/// The hasher a stored hash was made with: algorithm, version and cost come from the hash,
/// so older hashes keep verifying after a cost change.
fn hasher_of(parsed: &PasswordHash<'_>) -> Option<Argon2<'static>> {
    let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
    let version = match parsed.version {
        Some(v) => Version::try_from(v).ok()?,
        None => Version::default(),
    };
    let params = Params::try_from(parsed).ok()?;
    Some(Argon2::new(algorithm, version, params))
}

/// A hash of a password nobody has, made once, on a worker like any other hash.
fn dummy_hash(memory: &mut Vec<Block>) -> &'static str {
    static DUMMY_HASH: OnceLock<String> = OnceLock::new();
    DUMMY_HASH.get_or_init(|| {
        hash_with(memory, "doorstep-dummy-password").expect("hashing the dummy password works")
    })
}

#[cfg(test)]
mod tests {
    use argon2::PasswordVerifier;

    use super::*;

    fn pool(workers: usize, queue: usize) -> HashPool {
        HashPool::new(PoolSettings {
            workers,
            queue,
            max_wait: Duration::from_secs(2),
        })
    }

    #[tokio::test]
    async fn hashes_verify_and_use_argon2id() {
        let pool = pool(1, 4);
        let password = NewPassword::parse("收银员周末班2026", "").unwrap();
        let hash = pool.hash(password).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(
            pool.verify(Some(hash.clone()), "收银员周末班2026".into())
                .await
                .unwrap()
        );
        assert!(
            !pool
                .verify(Some(hash), "收银员周末班2025".into())
                .await
                .unwrap()
        );
        assert!(!pool.verify(None, "anything".into()).await.unwrap());
        assert!(
            !pool
                .verify(Some("not a hash".into()), "x".into())
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn a_reused_buffer_gives_the_hashes_argon2_itself_computes() {
        // One worker, so the second hash runs on the buffer the first one filled.
        let pool = pool(1, 4);
        for password in ["第一个密码很长2026", "second-password-2026"] {
            let hash = pool
                .hash(NewPassword::parse(password, "").unwrap())
                .await
                .unwrap();
            let parsed = PasswordHash::new(&hash).unwrap();
            assert!(
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            );
        }
        // And a hash made by argon2 itself verifies in the pool.
        let salt = SaltString::generate(&mut OsRng);
        let theirs = argon2::PasswordHasher::hash_password(
            &Argon2::new(Algorithm::Argon2id, Version::V0x13, params()),
            b"made-elsewhere-2026",
            &salt,
        )
        .unwrap()
        .to_string();
        assert!(
            pool.verify(Some(theirs), "made-elsewhere-2026".into())
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn beyond_the_queue_requests_are_refused_not_queued() {
        let pool = pool(1, 1);
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let pool = pool.clone();
                tokio::spawn(async move { pool.verify(None, "anything".into()).await })
            })
            .collect();
        let mut results = Vec::new();
        for handle in handles {
            results.push(handle.await.unwrap());
        }
        let busy = results
            .iter()
            .filter(|r| matches!(r, Err(DomainError::Busy { retry_after_secs }) if *retry_after_secs >= 1))
            .count();
        let done = results.iter().filter(|r| matches!(r, Ok(false))).count();
        assert!(busy >= 1, "some requests are refused: {results:?}");
        // The queue counts jobs no worker has taken yet, so a burst can fill it before the
        // worker wakes for the first: at least that one is served.
        assert!(done >= 1, "the worker still serves: {results:?}");
        assert_eq!(busy + done, 8, "{results:?}");
    }

    #[tokio::test]
    async fn a_request_that_waits_too_long_is_refused() {
        let pool = HashPool::new(PoolSettings {
            workers: 1,
            queue: 16,
            max_wait: Duration::from_millis(20),
        });
        let handles: Vec<_> = (0..5)
            .map(|_| {
                let pool = pool.clone();
                tokio::spawn(async move { pool.verify(None, "anything".into()).await })
            })
            .collect();
        let mut busy = 0;
        for handle in handles {
            match handle.await.unwrap() {
                Ok(false) => {}
                Err(DomainError::Busy { retry_after_secs }) => {
                    assert_eq!(retry_after_secs, 1);
                    busy += 1;
                }
                other => panic!("{other:?}"),
            }
        }
        // Each check takes tens of milliseconds, so the third in line has waited longer
        // than 20 ms.
        assert!(busy >= 3, "{busy}");
    }
}

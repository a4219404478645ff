//! A fresh PostgreSQL database per test on the machine's server (127.0.0.1:5432, trust auth;
//! override with `SCORELEDGER_TEST_POSTGRES`), dropped when the test ends. An unreachable
//! server fails the test; it never skips.

use sqlx::{Connection, Executor, PgConnection};

use scoreledger_projections::ReadModels;

/// The server tests create their databases on.
pub fn admin_url() -> String {
    std::env::var("SCORELEDGER_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A uniquely named database, dropped on drop.
pub struct TestPostgres {
    /// Its name.
    pub name: String,
    /// Its URL.
    pub url: String,
}

impl TestPostgres {
    /// Creates an empty database.
    pub async fn create() -> Self {
        let admin = admin_url();
        let mut conn = PgConnection::connect(&admin).await.unwrap_or_else(|err| {
            panic!("cannot reach PostgreSQL at {admin}: {err}; start it (scripts/services.sh) or set SCORELEDGER_TEST_POSTGRES")
        });
        #[expect(
            clippy::disallowed_methods,
            reason = "test database names only need to be unique"
        )]
        let name = format!("scoreledger_test_{}", uuid::Uuid::now_v7().simple());
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("the test user may create databases");
        let base = admin
            .rsplit_once('/')
            .map_or(admin.as_str(), |(base, _)| base);
        let url = format!("{base}/{name}");
        Self { name, url }
    }

    /// Read models in this database, migrated.
    pub async fn read_models(&self) -> ReadModels {
        ReadModels::postgres(&self.url)
            .await
            .expect("fresh PostgreSQL read models open")
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop from a thread of its own: the test's runtime may be shutting down.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async {
                    if let Ok(mut conn) = PgConnection::connect(&admin_url()).await {
                        let _ = conn
                            .execute(
                                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
                            )
                            .await;
                    }
                });
            }
        })
        .join();
    }
}

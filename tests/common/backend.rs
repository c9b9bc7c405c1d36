//! Which database the HTTP tests run on: a new SQLite file per app, or, when
//! `FLASHBOARD_TEST_POSTGRES_URL` names a PostgreSQL server (any database on it the user may
//! create databases from, e.g. `postgres://postgres@127.0.0.1:5432/postgres`), a new database on
//! that server per app, dropped with it. `scripts/test` runs the HTTP tests once each way.

use flashboard::db::Backend;

/// The server the tests create their PostgreSQL databases on, if any.
pub fn postgres_server() -> Option<String> {
    std::env::var("FLASHBOARD_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty())
}

/// The backend these tests run on.
pub fn backend() -> Backend {
    if postgres_server().is_some() {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

/// A database of its own for one test app; a PostgreSQL one is dropped when this is.
pub struct TestDatabase {
    pub url: String,
    /// The server's URL and the database's name, to drop it.
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    /// A new database: an SQLite file in `dir`, or a PostgreSQL database on the test server.
    pub async fn create(dir: &std::path::Path) -> Self {
        Self::create_on(dir, postgres_server()).await
    }

    /// A new database: on the PostgreSQL server `server` if given, else an SQLite file in `dir`.
    pub async fn create_on(dir: &std::path::Path, server: Option<String>) -> Self {
        let Some(server) = server else {
            return Self {
                url: format!("sqlite://{}", dir.join("flashboard.db").display()),
                postgres: None,
            };
        };
        use sqlx::Connection;
        let name = format!("fb_test_{:016x}", rand::random::<u64>());
        let mut admin = sqlx::PgConnection::connect(&server)
            .await
            .expect("FLASHBOARD_TEST_POSTGRES_URL: cannot connect");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create a test database");
        admin.close().await.ok();
        let mut url = url::Url::parse(&server).expect("FLASHBOARD_TEST_POSTGRES_URL is a URL");
        url.set_path(&name);
        Self {
            url: url.to_string(),
            postgres: Some((server, name)),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((server, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be blocked on: another thread with
        // its own runtime drops the database (and the app's connections with it).
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                use sqlx::Connection;
                let mut admin = sqlx::PgConnection::connect(&server).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await?;
                admin.close().await
            })
        })
        .join();
        if let Ok(Err(err)) = dropped {
            eprintln!("could not drop a test database: {err}");
        }
    }
}

/// SQL that makes the database refuse `event` (such as `BEFORE DELETE ON tower_sessions`) on
/// the rows for which `condition` holds (as `OLD.x = ...` or `NEW.x ...`), as a failing
/// database would: a trigger `name`, in this backend's dialect.
pub fn fault_sql(name: &str, event: &str, condition: &str) -> Vec<String> {
    match backend() {
        Backend::Sqlite => vec![format!(
            "CREATE TRIGGER {name} {event} WHEN {condition} \
             BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
        )],
        // PostgreSQL's trigger conditions cannot hold subqueries: the function tests it.
        Backend::Postgres => vec![
            format!(
                "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                   IF {condition} THEN RAISE EXCEPTION 'injected fault'; END IF; \
                   RETURN COALESCE(NEW, OLD); \
                 END $$"
            ),
            format!("CREATE TRIGGER {name} {event} FOR EACH ROW EXECUTE FUNCTION {name}()"),
        ],
    }
}

/// SQL that removes the trigger `name` made by [`fault_sql`] for `event`.
pub fn drop_fault_sql(name: &str, event: &str) -> Vec<String> {
    match backend() {
        Backend::Sqlite => vec![format!("DROP TRIGGER {name}")],
        Backend::Postgres => {
            let table = event.rsplit(" ON ").next().expect("`... ON table`");
            vec![
                format!("DROP TRIGGER {name} ON {table}"),
                format!("DROP FUNCTION {name}()"),
            ]
        }
    }
}

//! The SMTP transport over real TCP, against a small SMTP server of the test's own: the
//! envelope, the login from the environment's credentials, the message as lettre writes it, and
//! a refusal that comes back as an error.
#![cfg(feature = "ssr")]

use flashboard::{
    clock::Clock,
    mail::{Mail, MailConfig, Mailer, SmtpCredentials, SmtpSecurity, Transport},
};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

/// Accepts one connection and speaks just enough SMTP, refusing every recipient when `refuse`;
/// returns the commands it was sent and the message's lines.
async fn smtp_server(listener: TcpListener, refuse: bool) -> (Vec<String>, String) {
    let (stream, _) = listener.accept().await.unwrap();
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 test ESMTP\r\n").await.unwrap();
    let (mut commands, mut message) = (Vec::new(), String::new());
    while let Some(line) = lines.next_line().await.unwrap() {
        let command = line.to_ascii_uppercase();
        commands.push(line);
        let reply: &[u8] = if command.starts_with("EHLO") {
            b"250-test\r\n250 AUTH PLAIN LOGIN\r\n"
        } else if command.starts_with("AUTH") {
            b"235 2.7.0 accepted\r\n"
        } else if command.starts_with("RCPT") && refuse {
            b"550 5.1.1 no such mailbox\r\n"
        } else if command.starts_with("DATA") {
            write.write_all(b"354 go on\r\n").await.unwrap();
            while let Some(line) = lines.next_line().await.unwrap() {
                if line == "." {
                    break;
                }
                message.push_str(&line);
                message.push('\n');
            }
            b"250 2.0.0 queued\r\n"
        } else if command.starts_with("QUIT") {
            write.write_all(b"221 bye\r\n").await.unwrap();
            break;
        } else {
            b"250 ok\r\n"
        };
        write.write_all(reply).await.unwrap();
    }
    (commands, message)
}

fn config(port: u16) -> MailConfig {
    MailConfig {
        transport: Transport::Smtp,
        smtp_host: "127.0.0.1".to_owned(),
        smtp_port: port,
        smtp_security: SmtpSecurity::None,
        ..MailConfig::default()
    }
}

fn reset_mail() -> Mail {
    Mail {
        to: "ana@example.com".to_owned(),
        subject: "Reset your Flashboard password".to_owned(),
        text: "Hello ana,\n\nhttp://127.0.0.1:3000/password/reset?token=abc\n".to_owned(),
    }
}

#[tokio::test]
async fn mail_goes_over_smtp_logged_in_with_the_credentials() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(smtp_server(listener, false));
    let credentials = SmtpCredentials {
        username: "mailer".to_owned(),
        password: "s3cret".to_owned(),
    };
    // Its `Debug` never shows the password.
    assert!(!format!("{credentials:?}").contains("s3cret"));
    let mailer = Mailer::new(&config(port), Some(credentials), Clock::system()).unwrap();
    assert!(mailer.outbox().is_none());
    mailer.send(reset_mail()).await.unwrap();
    let (commands, message) = server.await.unwrap();
    let sent = |prefix: &str| commands.iter().any(|command| command.starts_with(prefix));
    assert!(sent("EHLO "), "{commands:?}");
    // AUTH PLAIN with base64("\0mailer\0s3cret").
    assert!(sent("AUTH PLAIN AG1haWxlcgBzM2NyZXQ="), "{commands:?}");
    assert!(sent("MAIL FROM:<no-reply@localhost>"), "{commands:?}");
    assert!(sent("RCPT TO:<ana@example.com>"), "{commands:?}");
    assert!(
        message.contains("Subject: Reset your Flashboard password"),
        "{message}"
    );
    assert!(
        message.contains("From: Flashboard <no-reply@localhost>"),
        "{message}"
    );
    assert!(message.contains("To: ana@example.com"), "{message}");
    assert!(message.contains("/password/reset?token=abc"), "{message}");
    assert_eq!((mailer.sent(), mailer.failed()), (1, 0));
}

#[tokio::test]
async fn a_refused_delivery_is_an_error_and_nothing_counts_as_sent() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(smtp_server(listener, true));
    let mailer = Mailer::new(&config(port), None, Clock::system()).unwrap();
    let err = mailer.send(reset_mail()).await.unwrap_err();
    assert!(err.to_string().contains("SMTP"), "{err}");
    assert_eq!(mailer.sent(), 0);
    drop(server);
    // Nobody listening: an error too, not a hang (the timeout bounds it).
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap().port()
    };
    let mailer = Mailer::new(&config(port), None, Clock::system()).unwrap();
    assert!(mailer.send(reset_mail()).await.is_err());
}

//! A CONNECT proxy named by the environment carries the broker requests, as
//! it did for the Python credential (whose `requests` honoured it too), and
//! `NO_PROXY` exempts the broker. Alone in its own test process: it sets
//! the environment, which every client built in the process would read.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;

use support::{options, BearerFile, Emulator};
use vd_broker::Client;

const SQL: &str = "https://database.windows.net/.default";

/// A CONNECT proxy: reports each tunnel's request line, then relays it.
fn connect_proxy() -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (report, reported) = mpsc::channel();
    thread::spawn(move || {
        for client in listener.incoming() {
            let report = report.clone();
            thread::spawn(move || tunnel(client.unwrap(), &report));
        }
    });
    (url, reported)
}

fn tunnel(client: TcpStream, report: &mpsc::Sender<String>) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut request_line = String::new();
    reader.read_line(&mut request_line).unwrap();
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap() > 2 {
        line.clear();
    }
    report.send(request_line.trim_end().to_string()).unwrap();
    let target = request_line.split_whitespace().nth(1).unwrap().to_string();
    let upstream = TcpStream::connect(target).unwrap();
    (&client).write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").unwrap();
    let mut to_upstream = upstream.try_clone().unwrap();
    thread::spawn(move || std::io::copy(&mut reader, &mut to_upstream));
    let _ = std::io::copy(&mut &upstream, &mut &client);
}

#[test]
fn a_connect_proxy_from_the_environment_carries_the_request_unless_exempted() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let authority = emulator.origin.trim_start_matches("http://").to_string();
    let (proxy, reported) = connect_proxy();
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");
    std::env::set_var("HTTP_PROXY", &proxy);

    let client = Client::new(&options(&emulator, &file)).unwrap();
    let token = client.get_token(SQL).unwrap();
    assert!(!token.secret().is_empty());
    assert_eq!(reported.try_recv().unwrap(), format!("CONNECT {authority} HTTP/1.1"));
    assert_eq!(emulator.token_requests(), 1);

    // Exempted: straight to the broker; the proxy hears nothing more. (A
    // new bearer: the first token is cached under the old one.)
    std::env::set_var("NO_PROXY", "127.0.0.1");
    let rotated = BearerFile::fresh();
    Client::new(&options(&emulator, &rotated)).unwrap().get_token(SQL).unwrap();
    assert_eq!(emulator.token_requests(), 2);
    assert!(reported.try_recv().is_err(), "the exempted request went through the proxy");
}

//! The HTTP side: JSON-RPC 2.0 over `POST /`, batches included.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{json, Value};
use tiny_http::{Header, Method, Request, Response};

use crate::chain::Chain;
use crate::errors::{NodeError, RpcError, INVALID_REQUEST, PARSE_ERROR};
use crate::ledger::Ledger;
use crate::rpc;

/// Largest request body accepted (the real node's limit is 50 KiB for
/// transactions; batches of account reads need more).
const MAX_BODY_BYTES: u64 = 4 * 1024 * 1024;

/// Listens on `host:port` (0 = any free port).
///
/// The listening socket gets `TCP_NODELAY`, which the connections it accepts
/// inherit: tiny_http writes a response larger than its 1 KiB buffer as
/// headers first and body second, and with Nagle's algorithm the body waits
/// for the client's delayed ACK (about 40 ms on Linux) on every keep-alive
/// request, which is what httpx (under solana-py) makes.
pub fn bind(host: &str, port: u16) -> Result<tiny_http::Server, NodeError> {
    let addr = format!("{host}:{port}");
    let listener = std::net::TcpListener::bind(&addr).map_err(|e| NodeError::Bind { addr: addr.clone(), source: e.into() })?;
    set_nodelay(&listener).map_err(|e| NodeError::Bind { addr: addr.clone(), source: e.into() })?;
    tiny_http::Server::from_listener(listener, None).map_err(|source| NodeError::Bind { addr, source })
}

fn set_nodelay(listener: &std::net::TcpListener) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let on: libc::c_int = 1;
    // SAFETY: a valid socket descriptor and a c_int option value of the size passed.
    let rc = unsafe {
        libc::setsockopt(
            listener.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            std::ptr::addr_of!(on).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// The port `server` listens on.
pub fn port_of(server: &tiny_http::Server) -> u16 {
    server.server_addr().to_ip().map_or(0, |a| a.port())
}

/// Serves requests one at a time until `shutdown` is set.
pub fn serve(server: &tiny_http::Server, chain: &mut Chain, ledger: Option<&Ledger>, shutdown: &AtomicBool) {
    while !shutdown.load(Ordering::SeqCst) {
        match server.recv_timeout(Duration::from_millis(100)) {
            Ok(Some(request)) => handle(request, chain, ledger),
            Ok(None) => {}
            Err(e) => log::warn!("receiving a request failed: {e}"),
        }
    }
}

fn handle(mut request: Request, chain: &mut Chain, ledger: Option<&Ledger>) {
    if request.method() == &Method::Get && request.url() == "/health" {
        respond(request, 200, "ok".into());
        return;
    }
    if request.method() != &Method::Post {
        respond(request, 405, "Used HTTP Method is not allowed. POST or OPTIONS is required".into());
        return;
    }
    let mut body = String::new();
    if let Err(e) = request.as_reader().take(MAX_BODY_BYTES).read_to_string(&mut body) {
        respond(request, 400, format!("cannot read the request body: {e}"));
        return;
    }
    let (before, warped) = (chain.history.len(), chain.warped_seconds());
    let response = answer(chain, &body);
    if chain.history.len() != before || chain.warped_seconds() != warped {
        if let Some(ledger) = ledger {
            if let Err(e) = ledger.save(chain) {
                log::error!("{e}");
            }
        }
    }
    respond(request, 200, response.to_string());
}

/// The JSON-RPC answer to a request body.
pub fn answer(chain: &mut Chain, body: &str) -> Value {
    let parsed: Value = match serde_json::from_str(body) {
        Ok(value) => value,
        Err(_) => return error_response(Value::Null, &RpcError::new(PARSE_ERROR, "Parse error")),
    };
    match parsed {
        Value::Array(calls) if calls.is_empty() => error_response(Value::Null, &RpcError::new(INVALID_REQUEST, "Invalid request")),
        Value::Array(calls) => Value::Array(calls.iter().map(|call| answer_call(chain, call)).collect()),
        call => answer_call(chain, &call),
    }
}

fn answer_call(chain: &mut Chain, call: &Value) -> Value {
    let id = call.get("id").cloned().unwrap_or(Value::Null);
    let method = match (call.get("jsonrpc").and_then(Value::as_str), call.get("method").and_then(Value::as_str)) {
        (Some("2.0"), Some(method)) => method,
        _ => return error_response(id, &RpcError::new(INVALID_REQUEST, "Invalid request")),
    };
    log::debug!("{method} {}", call.get("params").map_or(String::new(), Value::to_string));
    match rpc::handle(chain, method, call.get("params")) {
        Ok(result) => json!({ "jsonrpc": "2.0", "result": result, "id": id }),
        Err(err) => {
            log::debug!("{method} -> {err}");
            error_response(id, &err)
        }
    }
}

fn error_response(id: Value, err: &RpcError) -> Value {
    json!({ "jsonrpc": "2.0", "error": err.to_json(), "id": id })
}

fn respond(request: Request, status: u16, body: String) {
    let content_type = if status == 200 && body.starts_with(['{', '[']) { "application/json" } else { "text/plain" };
    let mut response = Response::from_string(body).with_status_code(status);
    if let Ok(header) = Header::from_bytes("Content-Type", content_type) {
        response = response.with_header(header);
    }
    if let Err(e) = request.respond(response) {
        log::debug!("writing a response failed: {e}");
    }
}

//! The HTTP client every model call goes through, and what Redline says about a server address.
//!
//! Keys travel in headers that reqwest does not know are secret (`x-api-key` for Anthropic,
//! `x-goog-api-key` for Gemini) or in the `Authorization` header, and a redirect would carry
//! them to wherever the server points. So a redirect is followed only within the same origin
//! (scheme, host and port); one to anywhere else stops the call with an error naming both
//! addresses, and nothing is sent to the second one. A server without TLS that is not on this
//! machine is accepted, but [`plain_http_warning`] says what that exposes.

use std::net::IpAddr;
use std::time::Duration;

use reqwest::redirect::{Attempt, Policy};
use reqwest::Url;

use crate::{ErrorKind, ModelError};

/// Redirects followed within one origin before giving up; a server that loops is broken.
const MAX_SAME_ORIGIN_REDIRECTS: usize = 5;

/// A client for model API calls: redirects stay within the origin the call started at.
/// `timeout` bounds a whole request (model lists); streaming calls set none.
pub(crate) fn api_client(connect: Duration, timeout: Option<Duration>) -> reqwest::Client {
    let builder = reqwest::Client::builder().connect_timeout(connect).redirect(same_origin_redirects());
    let builder = match timeout {
        Some(timeout) => builder.timeout(timeout),
        None => builder,
    };
    // Building fails only when the TLS backend cannot start; a client without our redirect
    // policy would follow redirects anywhere, so fall back to one that follows none.
    builder.build().unwrap_or_else(|_| {
        reqwest::Client::builder().redirect(Policy::none()).build().unwrap_or_else(|_| reqwest::Client::new())
    })
}

/// Following a redirect elsewhere would send the key along, and refusing it with an error
/// (rather than following none) keeps servers working that redirect within themselves (a
/// trailing slash, a moved path). A redirect that is not followed comes back as the 3xx
/// response itself, which [`refused_redirect`] turns into the error shown.
fn same_origin_redirects() -> Policy {
    Policy::custom(|attempt: Attempt| {
        let Some(first) = attempt.previous().first() else { return attempt.stop() };
        if attempt.previous().len() > MAX_SAME_ORIGIN_REDIRECTS || !same_origin(first, attempt.url()) {
            return attempt.stop();
        }
        attempt.follow()
    })
}

/// Same scheme, host and port (with the scheme's default port filled in).
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// The error for a redirect that was not followed: `response` is the 3xx the server sent, to
/// another origin or once too often within its own.
pub(crate) fn refused_redirect(response: &reqwest::Response) -> ModelError {
    let from = origin(response.url());
    let location = response.headers().get(reqwest::header::LOCATION).and_then(|l| l.to_str().ok());
    let to = location.and_then(|l| response.url().join(l).ok());
    let message = match to {
        Some(to) if !same_origin(response.url(), &to) => format!(
            "The model server at {from} redirected to {}. Redline does not follow a redirect to another \
             address, because the API key would go with it. If the provider moved, put its new address in \
             Settings.",
            origin(&to)
        ),
        _ => format!(
            "The model server at {from} kept redirecting (HTTP {}). Check the server address in Settings.",
            response.status().as_u16()
        ),
    };
    ModelError::new(ErrorKind::BadRequest, message)
}

/// `scheme://host:port`, without path or query (a Gemini key may sit in a query string).
fn origin(url: &Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port_or_known_default() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    }
}

/// A warning for a plain `http://` address that is not this machine: the key, the question and
/// the project's code would cross the network unencrypted. `None` for https and for loopback
/// (127.0.0.0/8, ::1, `localhost`), where local servers (Ollama, llama.cpp) live.
pub fn plain_http_warning(base_url: &str) -> Option<String> {
    let url = Url::parse(base_url.trim()).ok()?;
    if url.scheme() != "http" || is_loopback(&url) {
        return None;
    }
    Some(format!(
        "{} is not encrypted and not on this machine: the API key, your questions and the project's code \
         cross the network readable by anyone on the way. Use https:// unless this network is yours.",
        origin(&url)
    ))
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else { return false };
    // An IPv6 host comes bracketed (`[::1]`); names are already lower-cased by the parser.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => bare == "localhost",
    }
}

#[cfg(test)]
mod tests;

//! One write per request.
//!
//! ureq hands a request's head and body to the transport in two writes, so a
//! small POST leaves as two TCP segments and wakes the broker twice. This
//! transport holds what is written until the response is awaited, then sends
//! it as one: on loopback that is the difference between a cold call near a
//! bare round trip and one well above it. (HTTP/1.1 without
//! `Expect: 100-continue` never reads before the request is complete, so
//! holding the bytes until then changes nothing else.)

use std::fmt;

use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};
use ureq::Error;

/// Wraps every transport the chain before it makes.
#[derive(Debug)]
pub(crate) struct CoalescingConnector;

impl Connector<Box<dyn Transport>> for CoalescingConnector {
    type Out = CoalescingTransport;

    fn connect(&self, _: &ConnectionDetails, chained: Option<Box<dyn Transport>>) -> Result<Option<Self::Out>, Error> {
        Ok(chained.map(|inner| CoalescingTransport { inner, pending: Vec::new() }))
    }
}

pub(crate) struct CoalescingTransport {
    inner: Box<dyn Transport>,
    /// Written, not yet sent.
    pending: Vec<u8>,
}

impl CoalescingTransport {
    /// Sends what is pending through the inner transport's output buffer.
    fn flush(&mut self, timeout: NextTimeout) -> Result<(), Error> {
        let mut sent = 0;
        while sent < self.pending.len() {
            let output = self.inner.buffers().output();
            let n = output.len().min(self.pending.len() - sent);
            output[..n].copy_from_slice(&self.pending[sent..sent + n]);
            self.inner.transmit_output(n, timeout)?;
            sent += n;
        }
        self.pending.clear();
        Ok(())
    }
}

impl fmt::Debug for CoalescingTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CoalescingTransport").field("inner", &self.inner).finish()
    }
}

impl Transport for CoalescingTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, _: NextTimeout) -> Result<(), Error> {
        let output = self.inner.buffers().output();
        self.pending.extend_from_slice(&output[..amount]);
        Ok(())
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        self.flush(timeout)?;
        self.inner.maybe_await_input(timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        self.flush(timeout)?;
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

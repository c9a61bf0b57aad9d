//! A model for tests that the test feeds event by event, and that records every request.

use std::sync::Mutex;

use tokio::sync::mpsc;

use crate::{Delivery, EventStream, LanguageModel, ModelError, Request, StreamEvent};

/// One `stream` call: its request, and the channel its reply goes through.
struct Call {
    request: Request,
    reply: Option<mpsc::Sender<Result<Delivery, ModelError>>>,
}

pub struct FakeModel {
    id: String,
    calls: Mutex<Vec<Call>>,
}

impl std::fmt::Debug for FakeModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeModel").field("id", &self.id).finish()
    }
}

impl FakeModel {
    pub fn new(id: &str) -> Self {
        FakeModel { id: id.to_owned(), calls: Mutex::new(Vec::new()) }
    }

    fn calls(&self) -> std::sync::MutexGuard<'_, Vec<Call>> {
        self.calls.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The requests made so far, oldest first.
    pub fn requests(&self) -> Vec<Request> {
        self.calls().iter().map(|c| c.request.clone()).collect()
    }

    /// Sends an event to the reply of call `index`; false when its stream was dropped.
    pub async fn send(&self, index: usize, event: StreamEvent) -> bool {
        self.deliver(index, Ok(Delivery::Event(event))).await
    }

    /// Ends call `index` with an error.
    pub async fn fail(&self, index: usize, error: ModelError) -> bool {
        let sent = self.deliver(index, Err(error)).await;
        self.end(index);
        sent
    }

    /// Ends the reply of call `index`.
    pub fn end(&self, index: usize) {
        if let Some(call) = self.calls().get_mut(index) {
            call.reply = None;
        }
    }

    async fn deliver(&self, index: usize, item: Result<Delivery, ModelError>) -> bool {
        let sender = self.calls().get(index).and_then(|c| c.reply.clone());
        match sender {
            Some(sender) => sender.send(item).await.is_ok(),
            None => false,
        }
    }
}

impl LanguageModel for FakeModel {
    fn id(&self) -> String {
        self.id.clone()
    }

    fn stream(&self, request: Request) -> EventStream {
        let (tx, rx) = mpsc::channel(256);
        self.calls().push(Call { request, reply: Some(tx) });
        EventStream::from_channel(rx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Message, StopReason};

    #[tokio::test]
    async fn fake_model_streams_what_the_test_feeds_and_records_requests() {
        let fake = FakeModel::new("fake/model");
        let model: &dyn LanguageModel = &fake;
        let mut stream = model.stream(Request::new("m", vec![Message::user("hi")]));
        assert_eq!(fake.requests()[0].messages[0], Message::user("hi"));
        assert!(fake.send(0, StreamEvent::Text("he".into())).await);
        assert!(fake.send(0, StreamEvent::Stop(StopReason::EndTurn)).await);
        fake.end(0);
        assert_eq!(stream.next().await, Some(Ok(Delivery::Event(StreamEvent::Text("he".into())))));
        assert_eq!(stream.next().await, Some(Ok(Delivery::Event(StreamEvent::Stop(StopReason::EndTurn)))));
        assert_eq!(stream.next().await, None);
    }

    #[tokio::test]
    async fn dropping_the_stream_tells_the_feeder() {
        let fake = FakeModel::new("fake/model");
        drop(fake.stream(Request::new("m", vec![])));
        assert!(!fake.send(0, StreamEvent::Text("lost".into())).await);
    }
}

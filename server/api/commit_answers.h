// Where the answer to a committed command is built. The group-commit
// writer calls back on its own thread, the one every change waits for; it
// should only decide, append and publish. Building the JSON answer,
// counting metrics and writing the access log for every command there took
// a third of its time under 64 clients creating keys (perf), so the answer
// hops back to the I/O thread of the request's connection first.
#pragma once

#include <memory>

#include "server/http/http_types.h"
#include "server/writer/group_commit_writer.h"

namespace keyledger::server {

// A writer callback that hands the result to `answer` on `exchange`'s
// I/O thread (Exchange::executor), or at once, on the calling thread, when
// the exchange has no connection. If that I/O thread has stopped (the
// server is shutting down), `answer` is dropped unrun, as the connection
// that would have carried it is.
writer::GroupCommitWriter::Callback answer_on_connection_thread(
    std::shared_ptr<Exchange> exchange, writer::GroupCommitWriter::Callback answer);

}  // namespace keyledger::server

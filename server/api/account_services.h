// What the handlers of accounts (UserHandlers, SessionHandlers) are given:
// one list, since both use all of it (eight references).
#pragma once

#include "core/clock.h"
#include "server/api/authenticator.h"
#include "server/api/commit_answers.h"
#include "server/api/ledger_ports.h"
#include "server/api/password_work.h"
#include "server/api/session_store.h"
#include "server/api/sign_in_guard.h"

namespace keyledger::server {

// Borrowed: what it names outlives the handlers it is given to.
struct AccountServices {
  Authenticator& auth;           // who asks
  const UserDirectory& users;    // the users as they are now
  CommandSink& commands;         // where the handlers' commands are committed
  const CommitAnswers& answers;  // the callbacks that answer a commit
  PasswordWork& passwords;       // scrypt, on the blocking pool
  SessionStore& sessions;        // signed-in sessions (ended when a user changes)
  SignInGuard& sign_ins;         // failed sign-ins per name, and their locks
  const Clock& clock;
};

}  // namespace keyledger::server

#include "tests/reliability/ledger_model.h"

#include <algorithm>

namespace keyledger::reliability {
namespace {

std::optional<Change> take_pending(std::map<LedgerModel::Ticket, Change>& unknown,
                                   const std::string& key_id) {
  for (auto it = unknown.begin(); it != unknown.end(); ++it) {
    if (it->second.kind != ChangeKind::kCreate && it->second.key_id == key_id) {
      Change change = it->second;
      unknown.erase(it);
      return change;
    }
  }
  return std::nullopt;
}

void erase_id(std::vector<std::string>& ids, const std::string& id) {
  auto it = std::find(ids.begin(), ids.end(), id);
  if (it == ids.end()) return;
  *it = std::move(ids.back());
  ids.pop_back();
}

}  // namespace

void LedgerModel::mark_deleted(ModelKey& key) {
  key.deleted = true;
  erase_id(live_ids_[key.worker], key.id);
  if (!key.token.empty()) deleted_ids_[key.worker].push_back(key.id);
}

LedgerModel::Ticket LedgerModel::begin(Change change) {
  std::lock_guard lock(mutex_);
  const Ticket ticket = next_ticket_++;
  sent_.emplace(ticket, std::move(change));
  return ticket;
}

void LedgerModel::acknowledged(Ticket ticket, const std::string& created_id,
                               const std::string& token) {
  std::lock_guard lock(mutex_);
  auto it = sent_.find(ticket);
  if (it == sent_.end()) return;
  const Change change = std::move(it->second);
  sent_.erase(it);
  switch (change.kind) {
    case ChangeKind::kCreate:
      keys_[created_id] = ModelKey{created_id, change.name, token, change.worker, false};
      live_ids_[change.worker].push_back(created_id);
      ++totals_.acked_creates;
      break;
    case ChangeKind::kRename:
      keys_[change.key_id].name = change.name;
      ++totals_.acked_renames;
      break;
    case ChangeKind::kDelete:
      mark_deleted(keys_[change.key_id]);
      ++totals_.acked_deletes;
      break;
  }
}

void LedgerModel::refused(Ticket ticket) {
  std::lock_guard lock(mutex_);
  auto it = sent_.find(ticket);
  if (it == sent_.end()) return;
  if (it->second.kind == ChangeKind::kCreate) refused_creates_.push_back(it->second.name);
  sent_.erase(it);
  ++totals_.refused;
}

void LedgerModel::withdrawn(Ticket ticket) {
  std::lock_guard lock(mutex_);
  auto it = sent_.find(ticket);
  if (it == sent_.end()) return;
  if (it->second.kind == ChangeKind::kCreate) refused_creates_.push_back(it->second.name);
  sent_.erase(it);
  ++totals_.withdrawn;
}

void LedgerModel::unanswered(Ticket ticket) {
  std::lock_guard lock(mutex_);
  auto it = sent_.find(ticket);
  if (it == sent_.end()) return;
  unknown_.emplace(ticket, std::move(it->second));
  sent_.erase(it);
  ++totals_.unanswered;
}

void LedgerModel::ignore_key(const std::string& key_id) {
  std::lock_guard lock(mutex_);
  ignored_.insert(key_id);
}

void LedgerModel::check_key(ModelKey& key, const ObservedKeys& observed, const VerifyToken& verify,
                            CheckReport& report) {
  ++report.keys_checked;
  auto seen = observed.find(key.id);
  auto problem = [&](std::uint64_t& counter, const std::string& what) {
    ++counter;
    report.problems.push_back("key " + key.id + " ('" + key.name + "'): " + what);
  };
  const std::optional<Change> pending = take_pending(unknown_, key.id);
  bool acknowledged_state = !pending;
  if (pending && pending->kind == ChangeKind::kDelete) {
    if (seen == observed.end()) {
      mark_deleted(key);
      ++report.in_flight_applied;
    } else if (seen->second == key.name) {
      ++report.in_flight_not_applied;
    } else {
      problem(report.violations, "an unanswered delete left it renamed to '" + seen->second + "'");
    }
  } else if (pending) {  // rename
    if (seen == observed.end()) {
      problem(report.lost, "disappeared during an unanswered rename");
    } else if (seen->second == pending->name) {
      key.name = pending->name;
      ++report.in_flight_applied;
    } else if (seen->second == key.name) {
      ++report.in_flight_not_applied;
    } else {
      problem(report.violations, "an unanswered rename left the name '" + seen->second + "'");
    }
  } else if (key.deleted && seen != observed.end()) {
    problem(report.lost, "an acknowledged delete was undone");
  } else if (!key.deleted && seen == observed.end()) {
    problem(report.lost, "an acknowledged key is missing");
  } else if (!key.deleted && seen->second != key.name) {
    problem(report.lost, "the acknowledged name was lost; the server says '" + seen->second + "'");
  }
  if (key.token.empty()) return;
  ++report.tokens_checked;
  const std::optional<unsigned> status = verify(key.token);
  const unsigned expected = key.deleted ? 401 : 200;
  if (status && *status == expected) return;
  const std::string got = status ? std::to_string(*status) : "no reply";
  problem(acknowledged_state ? report.lost : report.violations,
          "its token answered " + got + " where " + std::to_string(expected) + " was due");
}

CheckReport LedgerModel::reconcile(const ObservedKeys& observed, const VerifyToken& verify) {
  std::lock_guard lock(mutex_);
  CheckReport report;
  for (auto& [id, key] : keys_) check_key(key, observed, verify, report);

  std::map<std::string, std::vector<std::string>> unclaimed_by_name;
  for (const auto& [id, name] : observed)
    if (!keys_.count(id) && !ignored_.count(id)) unclaimed_by_name[name].push_back(id);

  for (const auto& [ticket, change] : unknown_) {
    if (change.kind != ChangeKind::kCreate) continue;  // its key vanished from the model: a bug
    auto match = unclaimed_by_name.find(change.name);
    if (match == unclaimed_by_name.end()) {
      ++report.in_flight_not_applied;
      continue;
    }
    if (match->second.size() > 1) {
      ++report.violations;
      report.problems.push_back("one unanswered create of '" + change.name + "' made " +
                                std::to_string(match->second.size()) + " keys");
    } else {
      ++report.in_flight_applied;
      const std::string& id = match->second.front();
      keys_[id] = ModelKey{id, change.name, "", change.worker, false};
      live_ids_[change.worker].push_back(id);
    }
    unclaimed_by_name.erase(match);
  }
  for (const auto& name : refused_creates_) {
    if (!unclaimed_by_name.count(name)) continue;
    ++report.violations;
    report.problems.push_back("a refused create of '" + name + "' appeared");
    unclaimed_by_name.erase(name);
  }
  for (const auto& [name, ids] : unclaimed_by_name) {
    report.violations += ids.size();
    report.problems.push_back("a key nobody asked for appeared: '" + name + "'");
  }
  unknown_.clear();
  refused_creates_.clear();
  return report;
}

std::vector<ModelKey> LedgerModel::live_keys(int worker) const {
  std::lock_guard lock(mutex_);
  std::vector<ModelKey> out;
  for (const auto& [id, key] : keys_)
    if (key.worker == worker && !key.deleted) out.push_back(key);
  return out;
}

std::vector<ModelKey> LedgerModel::deleted_keys(int worker) const {
  std::lock_guard lock(mutex_);
  std::vector<ModelKey> out;
  for (const auto& [id, key] : keys_)
    if (key.worker == worker && key.deleted && !key.token.empty()) out.push_back(key);
  return out;
}

std::size_t LedgerModel::live_count(int worker) const {
  std::lock_guard lock(mutex_);
  auto it = live_ids_.find(worker);
  return it == live_ids_.end() ? 0 : it->second.size();
}

std::optional<ModelKey> LedgerModel::pick_live(int worker, std::uint64_t random) const {
  std::lock_guard lock(mutex_);
  auto it = live_ids_.find(worker);
  if (it == live_ids_.end() || it->second.empty()) return std::nullopt;
  return keys_.at(it->second[random % it->second.size()]);
}

std::optional<ModelKey> LedgerModel::pick_deleted(int worker, std::uint64_t random) const {
  std::lock_guard lock(mutex_);
  auto it = deleted_ids_.find(worker);
  if (it == deleted_ids_.end() || it->second.empty()) return std::nullopt;
  return keys_.at(it->second[random % it->second.size()]);
}

ModelTotals LedgerModel::totals() const {
  std::lock_guard lock(mutex_);
  return totals_;
}

}  // namespace keyledger::reliability

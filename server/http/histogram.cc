#include "server/http/histogram.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace keyledger::server {
namespace {

// Bucket bounds as "%g" prints them (0.0001, 2.5e-06): stable label values,
// unchanged from earlier versions for the buckets they had.
std::string bound_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

void append_line(std::string& out, std::string_view name, std::string_view suffix,
                 std::string_view labels, std::string_view value) {
  out.append(name).append(suffix);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out.append(" ").append(value).append("\n");
}

}  // namespace

std::string exact_sample_text(double value) {
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  return std::string(buffer, end);
}

Histogram::Histogram(std::span<const std::uint64_t> upper_bounds, std::uint64_t units_per_rendered)
    : bounds_(upper_bounds.begin(), upper_bounds.end()),
      units_per_rendered_(static_cast<double>(units_per_rendered)),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(upper_bounds.size() + 1)) {}

std::size_t Histogram::bucket_of(std::uint64_t value) const {
  // Prometheus buckets hold values <= their bound: the first bound >= value.
  return std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
}

void Histogram::observe(std::uint64_t value) {
  buckets_[bucket_of(value)].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

void HistogramBatch::flush() {
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    into_.buckets_[i].fetch_add(counts_[i], std::memory_order_relaxed);
    counts_[i] = 0;
  }
  if (sum_ != 0) into_.sum_.fetch_add(sum_, std::memory_order_relaxed);
  sum_ = 0;
}

void Histogram::render(std::string& out, std::string_view name, std::string_view labels) const {
  const std::string prefix = labels.empty() ? std::string() : std::string(labels) + ",";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    const std::string le = i < bounds_.size()
                               ? bound_text(static_cast<double>(bounds_[i]) / units_per_rendered_)
                               : "+Inf";
    append_line(out, name, "_bucket", prefix + "le=\"" + le + "\"", std::to_string(cumulative));
  }
  const double sum =
      static_cast<double>(sum_.load(std::memory_order_relaxed)) / units_per_rendered_;
  append_line(out, name, "_sum", labels, exact_sample_text(sum));
  append_line(out, name, "_count", labels, std::to_string(cumulative));
}

}  // namespace keyledger::server

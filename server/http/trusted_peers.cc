#include "server/http/trusted_peers.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "core/text.h"

namespace keyledger::server {
namespace {

namespace ip = boost::asio::ip;

// `text` as an address, an IPv4-mapped IPv6 address as its IPv4 address;
// nullopt if it is not one. Parses from a buffer on the stack: this runs
// for every request from a trusted proxy.
std::optional<ip::address> canonical_address(std::string_view text) {
  char terminated[64];  // the longest IPv6 text is 45 bytes, a scope id adds at most 16
  if (text.empty() || text.size() >= sizeof terminated || text.find('\0') != std::string_view::npos)
    return std::nullopt;
  std::memcpy(terminated, text.data(), text.size());
  terminated[text.size()] = '\0';
  boost::system::error_code error;
  const ip::address address = ip::make_address(terminated, error);
  if (error) return std::nullopt;
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  return address;
}

}  // namespace

TrustedPeers::TrustedPeers(const std::vector<std::string>& addresses) {
  for (const std::string& text : addresses)
    if (const auto address = canonical_address(text)) peers_.push_back(*address);
}

bool TrustedPeers::contains(std::string_view address) const {
  if (peers_.empty()) return false;
  const auto canonical = canonical_address(address);
  return canonical && std::find(peers_.begin(), peers_.end(), *canonical) != peers_.end();
}

std::string_view TrustedPeers::client_of(std::string_view peer,
                                         std::string_view forwarded_for) const {
  if (!contains(peer)) return peer;
  std::string_view client = peer;
  for (std::string_view entry : split_from_end(forwarded_for, ",")) {
    entry = trim(entry, " ");
    if (!is_valid_ip_address(entry)) break;
    client = entry;
    if (!contains(client)) break;
  }
  return client;
}

}  // namespace keyledger::server

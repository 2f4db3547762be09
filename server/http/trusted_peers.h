// The peers whose word about the end client keyledgerd believes: the
// --trusted-proxy addresses. An HTTP request from one of them names its
// client in X-Forwarded-For, a verification from one names it in clientIp,
// and they are exempt from the per-address connection cap (each carries
// many clients' connections).
//
// Addresses compare as addresses, not as text. An entry and a peer are one
// peer when they parse to the same IPv4 or IPv6 address, an IPv4-mapped
// IPv6 address ("::ffff:10.0.0.1") counting as its IPv4 address ("10.0.0.1"),
// which is how keyledgerd reports an IPv4 client of a dual-stack socket. So
// "::ffff:10.0.0.1" and "10.0.0.1" name one peer, as do "::1" and
// "0:0:0:0:0:0:0:1". An entry that is not an IP address (a host name, an
// address with a port) matches nothing.
//
// Built once from the configuration and never changed: any thread may read
// it.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace keyledger::server {

class TrustedPeers {
 public:
  TrustedPeers() = default;  // trusts nobody
  explicit TrustedPeers(const std::vector<std::string>& addresses);

  bool empty() const { return peers_.empty(); }
  // False for anything that is not an IP address.
  bool contains(std::string_view address) const;

  // The client of an HTTP request that `peer` sent with the X-Forwarded-For
  // value `forwarded_for`; `peer` itself unless it is trusted. Each proxy
  // appends the address it received from, so only what our own proxies
  // appended can be believed: walking the list from the right (spaces
  // around an entry dropped), the first address that is not a trusted peer
  // is the client. The walk stops at an entry that is not an IP address
  // (the left-most entries are whatever the client chose to send), and the
  // last address believed is the client. The result views `peer` or
  // `forwarded_for`.
  std::string_view client_of(std::string_view peer, std::string_view forwarded_for) const;

 private:
  std::vector<boost::asio::ip::address> peers_;
};

}  // namespace keyledger::server

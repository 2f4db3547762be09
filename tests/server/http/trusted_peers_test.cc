// Which peers are trusted to name their clients, compared as addresses, and
// which client an X-Forwarded-For list from one of them names.
#include "server/http/trusted_peers.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using keyledger::server::TrustedPeers;

TEST_CASE("a trusted peer is found however its address is spelled", "[server][trusted-peers]") {
  const TrustedPeers peers({"10.0.0.5", "::ffff:192.0.2.1", "2001:db8::7", "::1"});
  for (const char* address : {"10.0.0.5", "::ffff:10.0.0.5", "::FFFF:10.0.0.5", "192.0.2.1",
                              "::ffff:192.0.2.1", "::ffff:c000:201", "2001:db8::7",
                              "2001:DB8:0:0:0:0:0:7", "2001:db8:0::7", "::1", "0:0:0:0:0:0:0:1"}) {
    INFO(address);
    CHECK(peers.contains(address));
  }
}

TEST_CASE("any other address, or text that is no address, is not a trusted peer",
          "[server][trusted-peers]") {
  const TrustedPeers peers({"10.0.0.5", "::1"});
  for (const char* address :
       {"10.0.0.6", "10.0.0.50", "::2", "::ffff:10.0.0.6", "127.0.0.1", "", " 10.0.0.5",
        "10.0.0.5 ", "10.0.0.5:80", "010.0.0.5", "localhost", "::ffff:::1"}) {
    INFO("[" << address << "]");
    CHECK_FALSE(peers.contains(address));
  }
  CHECK_FALSE(peers.contains(std::string("10.0.0.5\0junk", 13)));
  CHECK_FALSE(peers.contains(std::string(200, '1')));
}

TEST_CASE("an entry that is not an IP address trusts nobody", "[server][trusted-peers]") {
  const TrustedPeers peers({"localhost", "10.0.0.5:80", "", "proxy.example"});
  CHECK(peers.empty());
  for (const char* address : {"localhost", "10.0.0.5:80", "", "proxy.example", "127.0.0.1"}) {
    INFO("[" << address << "]");
    CHECK_FALSE(peers.contains(address));
  }
  CHECK(TrustedPeers().empty());
  CHECK_FALSE(TrustedPeers().contains("127.0.0.1"));
}

TEST_CASE("an untrusted peer is its own client whatever X-Forwarded-For says",
          "[server][trusted-peers]") {
  const TrustedPeers peers({"10.0.0.5"});
  CHECK(peers.client_of("10.0.0.9", "203.0.113.7") == "10.0.0.9");
  CHECK(TrustedPeers().client_of("10.0.0.5", "203.0.113.7") == "10.0.0.5");
}

TEST_CASE("a trusted proxy's client is the right-most address it did not itself add",
          "[server][trusted-peers]") {
  const TrustedPeers peers({"10.0.0.5", "10.0.0.6"});
  struct Case {
    const char* forwarded_for;
    const char* client;
  };
  for (const Case& c : std::vector<Case>{
           {"203.0.113.7", "203.0.113.7"},
           {"198.51.100.1, 203.0.113.8", "203.0.113.8"},  // the left one is the client's say
           {"198.51.100.1,203.0.113.8", "203.0.113.8"},
           {"  203.0.113.8  ", "203.0.113.8"},
           {"198.51.100.1, 203.0.113.8, 10.0.0.6", "203.0.113.8"},  // past our own proxies
           {"198.51.100.1, 10.0.0.6, 10.0.0.5", "198.51.100.1"},
           {"2001:db8::9", "2001:db8::9"},
           {"10.0.0.6", "10.0.0.6"},  // only proxies: the last one believed
           {"not-an-ip, 10.0.0.6", "10.0.0.6"},
           {"", "10.0.0.5"},  // nothing forwarded: the peer
           {"not-an-ip", "10.0.0.5"},
           {"203.0.113.7,", "10.0.0.5"},  // an empty entry stops the walk
           {"203.0.113.7, ,10.0.0.6", "10.0.0.6"},
           {"\t203.0.113.7", "10.0.0.5"},  // only spaces are dropped
           {"203.0.113.7:443", "10.0.0.5"},
       }) {
    INFO("X-Forwarded-For: [" << c.forwarded_for << "]");
    CHECK(peers.client_of("10.0.0.5", c.forwarded_for) == c.client);
  }
}

TEST_CASE("a trusted proxy is recognised in the list in any spelling of its address",
          "[server][trusted-peers]") {
  const TrustedPeers peers({"10.0.0.5", "10.0.0.6"});
  CHECK(peers.client_of("::ffff:10.0.0.5", "198.51.100.1, ::ffff:10.0.0.6") == "198.51.100.1");
}

// The bundled rules/mining.rules: each rule on a real-shaped message of its
// protocol, and none on benign first payloads.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "picket/detect/mining_rules.hpp"

using picket::detect::mining_database;
using picket::detect::mining_rule_name;
using picket::detect::mining_rule_protocol;

namespace {

std::set<std::string> matches(const std::string& payload) {
  const auto& db = mining_database();
  picket::match::Scratch s(db);
  std::set<std::string> names;
  s.scan(db, payload.data(), payload.size(), [&](unsigned id) { names.insert(db.pattern(id).name); });
  return names;
}

}  // namespace

TEST(MiningRules, CompileWithoutErrors) {
  EXPECT_EQ(picket::detect::mining_rules_error(), "");
  EXPECT_GE(mining_database().size(), 12u);
  EXPECT_STREQ(mining_rule_name(0), "");
  EXPECT_STREQ(mining_rule_name(1), mining_database().pattern(0).name.c_str());
  EXPECT_STREQ(mining_rule_protocol(1), "stratum-v1");
  EXPECT_STREQ(mining_rule_name(60000), "");
}

TEST(MiningRules, StratumV1) {
  EXPECT_EQ(matches("{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"cgminer/4.10.0\"]}\n"),
            std::set<std::string>{"stratum_v1_subscribe"});
  EXPECT_EQ(matches("{\"params\": [\"user.worker\", \"x\"], \"id\": 2, \"method\": \"mining.authorize\"}\n"),
            std::set<std::string>{"stratum_v1_authorize"});
  EXPECT_EQ(matches("{\"id\":null,\"method\":\"mining.notify\",\"params\":[\"bf\",\"4d16b6f8\"]}\n"),
            std::set<std::string>{"stratum_v1_notify"});
  EXPECT_EQ(matches("{\"id\":null,\"method\":\"mining.set_difficulty\",\"params\":[2]}\n"),
            std::set<std::string>{"stratum_v1_notify"});
  EXPECT_EQ(matches("{\"id\":4,\"method\":\"mining.submit\",\"params\":[\"w\",\"bf\",\"00\",\"5\",\"6\"]}\n"),
            std::set<std::string>{"stratum_v1_submit"});
}

TEST(MiningRules, StratumV2Plaintext) {
  // SetupConnection: ext 0, type 0, length 0x3b, protocol 0, versions 2..2, flags, host "pool", ...
  std::string setup("\x00\x00\x00\x3b\x00\x00\x00\x02\x00\x02\x00\x01\x00\x00\x00\x04pool", 20);
  EXPECT_EQ(matches(setup), std::set<std::string>{"stratum_v2_setup_connection"});
  std::string success("\x00\x00\x01\x06\x00\x00\x02\x00\x00\x00\x00\x00", 12);
  EXPECT_EQ(matches(success), std::set<std::string>{"stratum_v2_setup_success"});
  // Other protocols (1 = job declaration) or versions are not the mining handshake.
  std::string other("\x00\x00\x00\x3b\x00\x00\x01\x02\x00\x02\x00", 11);
  EXPECT_TRUE(matches(other).empty());
  // Anchored at the start of the payload.
  EXPECT_TRUE(matches("xx" + setup).empty());
}

TEST(MiningRules, XmrigJsonRpc) {
  EXPECT_EQ(matches("{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":\"4AdU\",\"pass\":\"x\","
                    "\"agent\":\"XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0\",\"algo\":[\"rx/0\"]}}\n"),
            std::set<std::string>{"xmrig_login"});
  EXPECT_EQ(matches("{\"params\":{\"agent\":\"xmr-stak/2.10\",\"login\":\"w\"},\"method\":\"login\",\"id\":1}\n"),
            std::set<std::string>{"xmrig_login"});
  EXPECT_EQ(matches("{\"id\":2,\"jsonrpc\":\"2.0\",\"method\":\"submit\",\"params\":{\"id\":\"1\",\"job_id\":\"7\","
                    "\"nonce\":\"a2010000\",\"result\":\"00\"}}\n"),
            std::set<std::string>{"xmrig_submit"});
  EXPECT_EQ(matches("{\"jsonrpc\":\"2.0\",\"method\":\"job\",\"params\":{\"blob\":\"0e0e\",\"job_id\":\"8\"}}\n"),
            std::set<std::string>{"xmrig_job"});
  // A login without an agent is any JSON-RPC login: not enough.
  EXPECT_TRUE(matches("{\"id\":1,\"method\":\"login\",\"params\":{\"user\":\"bob\"}}\n").empty());
}

TEST(MiningRules, Getwork) {
  EXPECT_EQ(matches("POST / HTTP/1.1\r\nContent-Type: application/json\r\n\r\n"
                    "{\"method\": \"getwork\", \"params\": [], \"id\": 0}"),
            std::set<std::string>{"getwork"});
  EXPECT_EQ(matches("{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"eth_submitLogin\",\"params\":[\"0xabc\",\"x\"]}\n"),
            std::set<std::string>{"eth_submit_login"});
  EXPECT_EQ(matches("{\"id\":5,\"jsonrpc\":\"2.0\",\"method\":\"eth_getWork\",\"params\":[]}\n"),
            std::set<std::string>{"eth_get_work"});
}

TEST(MiningRules, BenignPayloadsMatchNothing) {
  for (const std::string& s : {std::string("GET /mining.subscribe HTTP/1.1\r\nHost: example.com\r\n\r\n"),
                               std::string("SSH-2.0-OpenSSH_9.6\r\n"), std::string("EHLO mail.example.com\r\n"),
                               std::string("{\"jsonrpc\":\"2.0\",\"method\":\"eth_blockNumber\",\"id\":1}"),
                               std::string("{\"method\":\"textDocument/didOpen\",\"params\":{}}"),
                               std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),
                               std::string("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 12)}) {
    EXPECT_TRUE(matches(s).empty()) << s;
  }
}

#include "testing/test_tsa.h"

#include <fstream>
#include <mutex>
#include <sstream>

#include "httplib.h"
#include "testing/temp_dir.h"

namespace uncut::testing {
namespace {

constexpr char kConfig[] = R"(
[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
dir = @DIR@
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/ca.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
)";

std::string Slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

TestTsa::TestTsa(const std::string& dir) : dir_(dir) {
  ca_file_ = dir + "/ca.pem";
  other_ca_file_ = dir + "/other-ca.pem";
  std::string config = kConfig;
  config.replace(config.find("@DIR@"), 5, dir);
  std::ofstream(dir + "/tsa.cnf") << config;
  std::ofstream(dir + "/serial") << "01\n";
  std::ofstream(dir + "/tsa.ext") << "extendedKeyUsage=critical,timeStamping\n"
                                     "basicConstraints=CA:FALSE\n"
                                     "keyUsage=critical,digitalSignature\n";
  const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes ";
  const std::string ca_ext =
      " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign ";
  RunResult made = RunShell(
      "cd " + ShellQuote(dir) + " && openssl req -x509" + ec + "-keyout ca.key -out ca.pem " +
      "-subj '/CN=uncut test TSA CA' -days 3650" + ca_ext + " && openssl req -x509" + ec +
      "-keyout other-ca.key -out other-ca.pem -subj '/CN=another CA' -days 3650" + ca_ext +
      " && openssl req -new" + ec + "-keyout tsa.key -out tsa.csr -subj '/CN=uncut test TSA'" +
      " && openssl x509 -req -in tsa.csr -CA ca.pem -CAkey ca.key -set_serial 2 -days 3650" +
      " -out tsa.pem -extfile tsa.ext");
  if (made.exit_code != 0) {
    error_ = "openssl could not make the test TSA's certificates: " + made.err;
    return;
  }
  server_ = std::make_unique<httplib::Server>();
  auto mu = std::make_shared<std::mutex>();
  server_->Post("/tsa", [this, mu](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(*mu);
    int n = ++requests_;
    std::string query = dir_ + "/query-" + std::to_string(n) + ".tsq";
    std::string reply = dir_ + "/reply-" + std::to_string(n) + ".tsr";
    std::ofstream(query, std::ios::binary) << req.body;
    RunResult r = RunShell("openssl ts -reply -config " + ShellQuote(dir_ + "/tsa.cnf") +
                           " -queryfile " + ShellQuote(query) + " -out " + ShellQuote(reply));
    if (r.exit_code != 0) {
      res.status = 500;
      res.set_content(r.err, "text/plain");
      return;
    }
    res.set_content(Slurp(reply), "application/timestamp-reply");
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) {
    error_ = "the test TSA could not listen on 127.0.0.1";
    return;
  }
  // Connections wait in the listening socket's queue until the loop runs.
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

TestTsa::~TestTsa() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string TestTsa::url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/tsa"; }

std::string UnreachableUrl() { return "http://127.0.0.1:1/tsa"; }

}  // namespace uncut::testing

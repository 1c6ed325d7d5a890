// A time-stamping authority for tests: a CA and a TSA certificate made with
// the openssl command line, and an HTTP server on 127.0.0.1 (in this
// process) that answers RFC 3161 requests with `openssl ts -reply`.
#ifndef UNCUT_TESTS_TESTING_TEST_TSA_H_
#define UNCUT_TESTS_TESTING_TEST_TSA_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace uncut::testing {

class TestTsa {
 public:
  // Makes its certificates under `dir` (which must exist) and starts
  // serving; error() says why when it could not.
  explicit TestTsa(const std::string& dir);
  ~TestTsa();
  TestTsa(const TestTsa&) = delete;
  TestTsa& operator=(const TestTsa&) = delete;

  const std::string& error() const { return error_; }
  std::string url() const;
  const std::string& ca_file() const { return ca_file_; }
  // A CA the TSA's certificate does not chain to.
  const std::string& other_ca_file() const { return other_ca_file_; }
  int requests() const { return requests_; }

 private:
  std::string dir_, ca_file_, other_ca_file_, error_;
  int port_ = -1;
  std::atomic<int> requests_{0};
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

// A URL on this machine where nothing answers.
std::string UnreachableUrl();

}  // namespace uncut::testing

#endif  // UNCUT_TESTS_TESTING_TEST_TSA_H_

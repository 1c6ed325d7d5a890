// Test helper: a PDF file assembled from its objects, with a correct
// cross-reference table, so tests decide exactly what each page holds.
#ifndef UNCUT_TESTS_TESTING_PDF_H_
#define UNCUT_TESTS_TESTING_PDF_H_

#include <string>
#include <vector>

namespace uncut::testing {

// The bytes of a PDF 1.4 file of `objects` (numbered from 1; object 1 must be
// the catalog), each written as "N 0 obj ... endobj", then the xref table and
// a trailer naming 1 0 R as the root.
std::string PdfOfObjects(const std::vector<std::string>& objects);

}  // namespace uncut::testing

#endif  // UNCUT_TESTS_TESTING_PDF_H_

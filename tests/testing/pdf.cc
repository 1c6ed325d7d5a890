#include "testing/pdf.h"

#include <cstdio>

#include "base/strings.h"

namespace uncut::testing {

std::string PdfOfObjects(const std::vector<std::string>& objects) {
  std::string pdf = "%PDF-1.4\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    StrAppend(&pdf, i + 1, " 0 obj\n", objects[i], "\nendobj\n");
  }
  size_t xref = pdf.size();
  StrAppend(&pdf, "xref\n0 ", objects.size() + 1, "\n0000000000 65535 f \n");
  for (size_t off : offsets) {
    char entry[32];
    std::snprintf(entry, sizeof(entry), "%010zu 00000 n \n", off);
    pdf += entry;
  }
  StrAppend(&pdf, "trailer\n<< /Size ", objects.size() + 1, " /Root 1 0 R >>\nstartxref\n", xref,
            "\n%%EOF\n");
  return pdf;
}

}  // namespace uncut::testing

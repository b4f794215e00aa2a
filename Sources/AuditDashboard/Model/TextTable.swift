import AuditCore

/// Plain-text layout for the report: headings, lines and column-aligned tables.
enum TextTable {
    struct Writer {
        let colour: Bool
        private(set) var text = ""

        init(colour: Bool) { self.colour = colour }

        mutating func line(_ s: String) { text += s + "\n" }

        mutating func heading(_ s: String) {
            if !text.isEmpty { text += "\n" }
            line(colour ? "\u{1B}[1m\(s)\u{1B}[0m" : s)
        }

        mutating func section(_ title: String, _ rows: [Report.NameCount]) {
            heading(title)
            table(["name", "requests"], rows.map { [$0.name, String($0.count)] }, alert: false)
        }

        /// Columns padded to their widest cell (cells clipped at 60 characters); the last
        /// column is left unpadded. Numeric columns align right.
        mutating func table(_ header: [String], _ rows: [[String]], alert: Bool) {
            let clean = rows.map { $0.map { TextTable.clip(TerminalText.sanitize($0), 60) } }
            var widths = header.map(\.count)
            for row in clean { for (k, cell) in row.enumerated() { widths[k] = max(widths[k], cell.count) } }
            let numeric = header.indices.map { k in !clean.isEmpty && clean.allSatisfy { Int($0[k]) != nil } }
            func render(_ row: [String]) -> String {
                var s = "  "
                for (k, cell) in row.enumerated() {
                    let pad = String(repeating: " ", count: widths[k] - cell.count)
                    if k == row.count - 1 && !numeric[k] { s += cell } else { s += numeric[k] ? pad + cell : cell + pad }
                    if k < row.count - 1 { s += "  " }
                }
                return s
            }
            line(colour ? "\u{1B}[2m" + render(header) + "\u{1B}[0m" : render(header))
            for row in clean {
                let r = render(row)
                line(colour && alert ? "\u{1B}[31m" + r + "\u{1B}[0m" : r)
            }
        }
    }

    static func clip(_ s: String, _ width: Int) -> String {
        s.count <= width ? s : String(s.prefix(width - 1)) + "…"
    }
}

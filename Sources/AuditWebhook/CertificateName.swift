/// The subject common name of an X.509 certificate, read from its DER encoding: enough
/// ASN.1 to walk Certificate → TBSCertificate → subject and find `2.5.4.3`.
enum CertificateName {
    /// One DER element at `i`: its tag and where its contents start and end.
    private static func element(_ b: [UInt8], _ i: Int) -> (tag: UInt8, start: Int, end: Int)? {
        guard i + 2 <= b.count else { return nil }
        var length = Int(b[i + 1])
        var p = i + 2
        if length & 0x80 != 0 {
            let n = length & 0x7F
            guard n >= 1, n <= 4, p + n <= b.count else { return nil }
            length = 0
            for k in 0..<n { length = length << 8 | Int(b[p + k]) }
            p += n
        }
        guard p + length <= b.count else { return nil }
        return (b[i], p, p + length)
    }

    /// The subject's CN (the last one, if several), or nil.
    static func subjectCommonName(_ der: [UInt8]) -> String? {
        guard let cert = element(der, 0), cert.tag == 0x30, let tbs = element(der, cert.start), tbs.tag == 0x30 else { return nil }
        var fields: [(tag: UInt8, start: Int, end: Int)] = []
        var i = tbs.start
        while i < tbs.end, let e = element(der, i) {
            fields.append(e)
            i = e.end
        }
        // [0] version (optional), serial, signature, issuer, validity, subject.
        let first = fields.first?.tag == 0xA0 ? 1 : 0
        guard fields.count > first + 4 else { return nil }
        let subject = fields[first + 4]
        let oid: [UInt8] = [0x06, 0x03, 0x55, 0x04, 0x03]
        var name: String?
        var j = subject.start
        while j + oid.count < subject.end {
            if Array(der[j..<(j + oid.count)]) == oid, let value = element(der, j + oid.count), value.end <= subject.end {
                name = String(decoding: der[value.start..<value.end], as: UTF8.self)
            }
            j += 1
        }
        return name
    }
}

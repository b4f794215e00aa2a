import Testing

@Test func placeholderAuditSourcesTests() {}

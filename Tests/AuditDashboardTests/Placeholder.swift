import Testing

@Test func placeholderAuditDashboardTests() {}

import Testing
@Test func webhookPlaceholder() {}

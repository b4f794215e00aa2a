/// One audit event as the decoder found it: spans into the bytes it was read from, plus the
/// few values already converted (code, timestamps).
///
/// It lives only while the decoder's callback runs, since its spans point into the input.
/// The store turns it into a compact `RingEntry` by interning the spans.
public struct DecodedEvent {
    /// The buffer every span refers to.
    public var base: UnsafePointer<UInt8>
    /// The whole event object, kept as the raw JSON for the detail view.
    public var raw = Span.empty

    public var kind = Span.empty
    public var apiVersion = Span.empty
    public var level = Span.empty
    public var auditID = Span.empty
    public var stage = Span.empty
    public var requestURI = Span.empty
    public var verb = Span.empty
    public var username = Span.empty
    public var uid = Span.empty
    /// The `user.groups` array, brackets included; read with `EventDecoder.forEachString`.
    public var groups = Span.empty
    public var impersonatedUser = Span.empty
    /// `user.extra["authentication.kubernetes.io/node-name"]`: the node a bound
    /// service-account token was issued for.
    public var tokenNode = Span.empty
    /// The `impersonatedUser.groups` array, brackets included.
    public var impersonatedGroups = Span.empty
    /// The first entry of `sourceIPs`: the client as the apiserver saw it.
    public var sourceIP = Span.empty
    /// The whole `sourceIPs` array, brackets included.
    public var sourceIPs = Span.empty
    public var userAgent = Span.empty
    /// The `requestObject` value (the first, if repeated): rules that read the request body
    /// start there instead of scanning the event again.
    public var requestObject = Span.empty
    public var hasObjectRef = false
    public var resource = Span.empty
    public var subresource = Span.empty
    public var namespace = Span.empty
    public var name = Span.empty
    public var apiGroup = Span.empty
    public var objectAPIVersion = Span.empty
    /// `responseStatus.code`, or -1 when the event carries none.
    public var code = -1
    public var status = Span.empty
    public var reason = Span.empty
    public var message = Span.empty
    /// Microseconds since 1970 of `requestReceivedTimestamp` (or a legacy stand-in), or nil.
    public var received: Int64?
    /// Microseconds since 1970 of `stageTimestamp` (or a legacy stand-in), or nil.
    public var stageTime: Int64?
    /// `annotations["authorization.k8s.io/decision"]`.
    public var decision = Span.empty
    /// `annotations["authorization.k8s.io/reason"]`.
    public var decisionReason = Span.empty
    /// The whole `annotations` object, braces included.
    public var annotations = Span.empty
    /// Which of the input's fields said this is an event rather than some other JSON object.
    var looksLikeEvent: Bool { !auditID.isEmpty && (!verb.isEmpty || !stage.isEmpty || !requestURI.isEmpty) }

    init(base: UnsafePointer<UInt8>) { self.base = base }

    /// The bytes of `span`, decoded from JSON escapes into a Swift string.
    public func string(_ span: Span) -> String {
        JSONText.string(base: base, span: span)
    }
}

import AuditCore

/// The line under the status bar, at every size and on the wall: the most severe
/// unacknowledged alert (severity, rule, actor, target, time) and how many others wait.
enum IncidentStrip {
    static func draw(_ grid: inout CellGrid, y: Int, _ m: DashboardModel, _ s: DashboardState) {
        let width = grid.width
        guard let incident = m.incident(s) else {
            let acked = m.alerts.count
            let text = acked == 0 ? " no alert has fired" : " all \(acked) alerts acknowledged; a rule that fires again comes back here"
            grid.putClipped(text, x: 0, y: y, role: .dim, limit: width)
            return
        }
        let a = incident.alert
        let role = ListPanes.severityRole(a.severity)
        grid.fill(x: 0, y: y, width: width, height: 1, role: role)
        // Fixed parts first; the actor gets up to 30 cells, the target what is left.
        let tag = " " + ListPanes.severityTag(a.severity) + " "
        let more = incident.others > 0 ? "+\(incident.others)" + (width >= 100 ? " more" : "") : ""
        let tail = "  " + incident.time + (more.isEmpty ? "" : "  " + more) + (width >= 100 ? "  (a ack)" : "") + " "
        let rule = Ellipsis.middle(a.rule, width: max(8, min(CellWidth.of(a.rule), width / 3)))
        var x = grid.put(tag, x: 0, y: y, role: role)
        x += grid.put(rule, x: x, y: y, role: role, limit: width - x)
        let room = width - x - CellWidth.of(tail) - 4
        let actorText = a.examples.first.map(IdentityName.actor) ?? ""
        let actorWidth = min(CellWidth.of(TerminalText.visible(actorText)), max(8, min(30, room * 3 / 5)))
        if !actorText.isEmpty, room > 8 {
            x += grid.put("  ", x: x, y: y, role: role)
            x += grid.put(Ellipsis.middle(actorText, width: actorWidth), x: x, y: y, role: role, limit: width - x)
        }
        // The target: its resource whole when it fits, then the object cut in the middle.
        let targetRoom = width - x - CellWidth.of(tail) - 2
        if targetRoom > 4, let example = a.examples.first {
            let (resource, object) = Incident.targetParts(example)
            x += grid.put("  ", x: x, y: y, role: role)
            let r = grid.put(Ellipsis.middle(resource, width: targetRoom), x: x, y: y, role: role, limit: targetRoom)
            let objectRoom = targetRoom - r - 1
            if !object.isEmpty, objectRoom >= 4 {
                grid.put(" " + Ellipsis.middle(object, width: objectRoom), x: x + r, y: y, role: role, limit: objectRoom + 1)
            }
        }
        grid.putRight(tail, right: width, y: y, role: role)
    }
}

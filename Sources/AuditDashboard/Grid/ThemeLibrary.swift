import Foundation

/// Where themes are found, in order: `$XDG_CONFIG_HOME/audittop/themes` (or
/// `~/.config/audittop/themes`), the installed share folder (`PREFIX/share/audittop/themes`
/// beside `PREFIX/bin`), the folder next to the binary (`Themes/`, or the package's own for a
/// `swift build` binary), then `./Themes`.
public struct ThemeLibrary: Sendable {
    public var folders: [String]

    public init(folders: [String]) { self.folders = folders }

    /// The standard search path: the user's `themes` folder inside `configFolder` (audittop's
    /// configuration folder, `ConfigFile.folder()`), then the folders found from `binary`.
    public static func standard(configFolder: String, binary: String? = nil) -> ThemeLibrary {
        var folders = [configFolder + "/themes"]
        let exe = binary ?? (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let bin = (exe as NSString).deletingLastPathComponent
        folders.append(((bin as NSString).deletingLastPathComponent as NSString).appendingPathComponent("share/audittop/themes"))
        folders.append((bin as NSString).appendingPathComponent("Themes"))
        // A binary built in the package (.build/<triple>/<configuration>/): the package's Themes/.
        var up = bin
        for _ in 0..<4 {
            up = (up as NSString).deletingLastPathComponent
            if FileManager.default.fileExists(atPath: up + "/Package.swift") {
                folders.append(up + "/Themes")
                break
            }
        }
        folders.append(FileManager.default.currentDirectoryPath + "/Themes")
        var seen = Set<String>()
        return ThemeLibrary(folders: folders.filter { seen.insert(($0 as NSString).standardizingPath).inserted })
    }

    /// Names of the themes found, `default` first, each once (the first folder wins).
    public var names: [String] {
        var out = ["default"]
        for folder in folders {
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
            for file in files where file.hasSuffix(".yaml") {
                let name = String(file.dropLast(5))
                if !out.contains(name) { out.append(name) }
            }
        }
        return out
    }

    /// The file of `nameOrPath`: a path as given (when it has a `/` or ends in `.yaml`), else
    /// the first `NAME.yaml` in the folders.
    public func file(for nameOrPath: String) -> String? {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".yaml") {
            return FileManager.default.fileExists(atPath: nameOrPath) ? nameOrPath : nil
        }
        return folders.map { $0 + "/" + nameOrPath + ".yaml" }.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// The theme `nameOrPath` names, and a warning when it could not be used: then the
    /// built-in default is returned (a broken theme never stops the dashboard).
    public func load(_ nameOrPath: String) -> (theme: Theme, warning: String?) {
        guard let file = file(for: nameOrPath) else {
            if nameOrPath == "default" { return (.builtin, nil) }
            let looked = nameOrPath.contains("/") || nameOrPath.hasSuffix(".yaml") ? nameOrPath : folders.joined(separator: ", ")
            return (.builtin, "no theme '\(nameOrPath)' (looked in \(looked)); using the default theme")
        }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            return (.builtin, "cannot read the theme file \(file); using the default theme")
        }
        do {
            var theme = try Theme.parse(yaml: text, file: file)
            if theme.name == "custom" { theme.name = ((file as NSString).lastPathComponent as NSString).deletingPathExtension }
            return (theme, nil)
        } catch {
            return (.builtin, "\(error); using the default theme")
        }
    }
}

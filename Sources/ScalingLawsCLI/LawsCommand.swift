import ArgumentParser
import ScalingLaws

struct Laws: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the built-in laws and their parameters.",
        discussion: "Examples:\n  scaling laws\n  scaling laws | grep chinchilla"
    )

    func run() throws {
        for entry in LawCatalog.entries {
            print("\(entry.name.padding(toLength: 12, withPad: " ", startingAt: 0))\(entry.summary)")
            if let law = try? LawCatalog.law(named: entry.name) {
                for p in law.parameters {
                    print("    \(p.name.padding(toLength: 8, withPad: " ", startingAt: 0))\(p.summary)")
                }
            }
        }
    }
}

import Foundation

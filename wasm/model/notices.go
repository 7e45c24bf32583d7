package model

// Code names what a notice is about. The page and the tests switch on
// codes, never on the words.
type Code string

const (
	CodeEditRefused    Code = "edit-refused"    // a drag, key, panel or add/delete edit was refused
	CodeImported       Code = "imported"        // an import replaced the layout
	CodeImportFailed   Code = "import-failed"   // nothing was imported; the layout stays
	CodeNoMemory       Code = "no-memory"       // the inputs give no memory banks: how to add them
	CodeChecked        Code = "checked"         // a check against the board ran: its verdicts
	CodeCheckFailed    Code = "check-failed"    // a check could not run; nothing changed
	CodeNothingToUndo  Code = "nothing-to-undo" // undo or redo at the end of the history
	CodeAutosaveFailed Code = "autosave-failed" // storage full or disabled
	CodeLinkOpened     Code = "link-opened"     // a share link replaced the layout
	CodeLinkBroken     Code = "link-broken"     // a share link or autosave could not be read
	CodeGoTo           Code = "goto"            // go-to-address: where it went, or why not
	CodeNoFailure      Code = "no-failure"      // "jump to failure" on a boot that succeeds
	CodeNoSelection    Code = "no-selection"    // an action needs a selected bank
	CodeExport         Code = "export"          // an export could not be made
	CodePreset         Code = "preset"          // a preset was loaded
	CodeCopied         Code = "copied"          // a share link was copied (or shown)
	CodeNoFlip         Code = "no-flip"         // A/B flip asked outside flip mode
)

// Severity says whether a notice reports a failure.
type Severity string

const (
	Info  Severity = "info"
	Error Severity = "error"
)

// Notice is a message for the user. It stays until dismissed or replaced
// by a newer notice with the same code: errors never vanish on a timer.
type Notice struct {
	ID       int      `js:"id" json:"id"`
	Code     Code     `js:"code" json:"code"`
	Severity Severity `js:"severity" json:"severity"`
	Text     string   `js:"text" json:"text"`
}

// maxNotices bounds the list: the oldest goes first.
const maxNotices = 4

// Notify shows a notice; one with the same code is replaced.
func (m *Model) Notify(code Code, sev Severity, text string) {
	m.dismissCode(code)
	m.nextID++
	m.notices = append(m.notices, Notice{ID: m.nextID, Code: code, Severity: sev, Text: text})
	if len(m.notices) > maxNotices {
		m.notices = m.notices[len(m.notices)-maxNotices:]
	}
	m.changed()
}

// Notices are the notices shown, oldest first.
func (m *Model) Notices() []Notice { return m.notices }

// Dismiss removes the notice with id (0: all of them).
func (m *Model) Dismiss(id int) {
	out := m.notices[:0]
	for _, n := range m.notices {
		if id != 0 && n.ID != id {
			out = append(out, n)
		}
	}
	if len(out) != len(m.notices) {
		m.notices = out
		m.changed()
	}
}

func (m *Model) dismissCode(c Code) {
	for _, n := range m.notices {
		if n.Code == c {
			m.Dismiss(n.ID)
			return
		}
	}
}

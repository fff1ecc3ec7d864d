package packaging

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// usbTTY builds the sysfs chain of a USB serial tty as the option driver creates it:
// tty/ttyUSB2 -> ttyUSB2 (usb-serial) -> 1-1.3:1.N (usb_interface) -> 1-1.3 (usb_device) -> usb1.
func usbTTY(vid, pid, ifnum, class string) []sysDevice {
	c := strings.Split(class, "/")
	return []sysDevice{
		{kernel: "ttyUSB2", subsystem: "tty", attrs: map[string]string{"dev": "188:2"}},
		{kernel: "ttyUSB2", subsystem: "usb-serial", attrs: map[string]string{"port_number": "0"}},
		{kernel: "1-1.3:1." + ifnum[1:], subsystem: "usb", attrs: map[string]string{
			"bInterfaceNumber": ifnum, "bInterfaceClass": c[0], "bInterfaceSubClass": c[1], "bInterfaceProtocol": c[2],
		}},
		{kernel: "1-1.3", subsystem: "usb", attrs: map[string]string{"idVendor": vid, "idProduct": pid, "serial": "0123456789"}},
		{kernel: "usb1", subsystem: "usb", attrs: map[string]string{"idVendor": "1d6b", "idProduct": "0002"}},
	}
}

func usbDevice(vid, pid string) []sysDevice {
	return []sysDevice{
		{kernel: "1-1.3", subsystem: "usb", attrs: map[string]string{"idVendor": vid, "idProduct": pid}},
		{kernel: "usb1", subsystem: "usb", attrs: map[string]string{"idVendor": "1d6b", "idProduct": "0002"}},
	}
}

// atPorts is the table the rules implement (modem.md section 1.1): the primary AT port of each
// supported modem, and a port of the same modem that is not the AT port.
var atPorts = []struct {
	name, vid, pid     string
	atIf, atClass      string
	otherIf, otherClas string
}{
	{"Quectel EC25/EG25", "2c7c", "0125", "02", "ff/ff/ff", "03", "ff/ff/ff"},
	{"Quectel EC21", "2c7c", "0121", "02", "ff/ff/ff", "01", "ff/ff/ff"},
	{"SIMCom SIM7600", "1e0e", "9001", "02", "ff/ff/ff", "03", "ff/ff/ff"},
	{"Huawei E3372 stick 1506", "12d1", "1506", "02", "ff/02/02", "00", "ff/02/01"},
	{"Huawei stick 155e", "12d1", "155e", "04", "ff/01/02", "00", "ff/01/01"},
	{"Huawei stick 1001", "12d1", "1001", "02", "ff/02/02", "00", "ff/02/01"},
	{"Sierra MC74xx", "1199", "9071", "03", "ff/ff/ff", "02", "ff/ff/ff"},
	{"Sierra EM7455", "1199", "9079", "03", "ff/ff/ff", "00", "ff/ff/ff"},
	{"Telit LE910C1", "1bc7", "1201", "04", "ff/ff/ff", "05", "ff/ff/ff"},
	{"Telit LE910C1-EUX", "1bc7", "1031", "01", "ff/ff/ff", "02", "ff/ff/ff"},
}

func TestUdevRulesParse(t *testing.T) {
	if rules := loadRules(t); len(rules) < 10 {
		t.Fatalf("only %d rules parsed", len(rules))
	}
	for _, bad := range []string{
		`SUBSYSTEM=="tty" SYMLINK+="x"`,  // missing comma
		`SUBSYSTEM="=tty"`,               // mangled operator
		`SYMLNK+="x"`,                    // unknown key
		`ATTRS{idVendor}="2c7c"`,         // ATTRS cannot be assigned
		`GOTO="nowhere"`,                 // GOTO without LABEL
		`ENV{X}=="1", SYMLINK+="x`,       // unterminated quote
		`ACTION=="add", ENV="1"`,         // ENV needs {name}
		`SUBSYSTEM=="tty", MODE=="0660"`, // MODE is assigned, not matched
	} {
		if _, err := parseRules(bad); err == nil {
			t.Errorf("parseRules(%q) = nil error, want a syntax error", bad)
		}
	}
}

func TestUdevRulesNameTheATPort(t *testing.T) {
	rules := loadRules(t)
	for _, m := range atPorts {
		t.Run(m.name, func(t *testing.T) {
			got := evalRules(rules, "add", usbTTY(m.vid, m.pid, m.atIf, m.atClass), nil)
			for _, link := range []string{"firmline-at", "firmline-at-1-1.3"} {
				if !slices.Contains(got.symlinks, link) {
					t.Errorf("AT port symlinks = %q, want %q among them", got.symlinks, link)
				}
			}
			if got.env["ID_MM_DEVICE_IGNORE"] != "1" || got.env["ID_MM_PORT_IGNORE"] != "1" {
				t.Errorf("AT port env = %v, want ModemManager ignore tags", got.env)
			}
			if got.group != "dialout" || got.mode != "0660" {
				t.Errorf("AT port group/mode = %q/%q, want dialout/0660", got.group, got.mode)
			}

			other := evalRules(rules, "add", usbTTY(m.vid, m.pid, m.otherIf, m.otherClas), nil)
			if len(other.symlinks) != 0 {
				t.Errorf("non-AT port if%s got symlinks %q", m.otherIf, other.symlinks)
			}
			if other.env["ID_MM_DEVICE_IGNORE"] != "1" {
				t.Errorf("non-AT port of a known modem is not hidden from ModemManager: %v", other.env)
			}

			dev := evalRules(rules, "add", usbDevice(m.vid, m.pid), map[string]string{"DEVTYPE": "usb_device"})
			if dev.env["ID_MM_DEVICE_IGNORE"] != "1" {
				t.Errorf("USB device env = %v, want ID_MM_DEVICE_IGNORE=1", dev.env)
			}
			if len(dev.symlinks) != 0 {
				t.Errorf("USB device got symlinks %q", dev.symlinks)
			}
		})
	}
}

func TestUdevRulesLeaveOtherDevicesAlone(t *testing.T) {
	rules := loadRules(t)
	for _, tc := range []struct {
		name   string
		action string
		chain  []sysDevice
		env    map[string]string
	}{
		{"FTDI serial adapter", "add", usbTTY("0403", "6001", "00", "ff/ff/ff"), nil},
		{"Huawei HiLink (no AT port)", "add", usbTTY("12d1", "14dc", "02", "ff/02/02"), nil},
		{"Quectel EC25 on remove", "remove", usbTTY("2c7c", "0125", "02", "ff/ff/ff"), nil},
		{"other USB device", "add", usbDevice("046d", "c52b"), map[string]string{"DEVTYPE": "usb_device"}},
		{"USB interface of EC25", "add", usbDevice("2c7c", "0125"), map[string]string{"DEVTYPE": "usb_interface"}},
		{"serial console ttyS0", "add", []sysDevice{{kernel: "ttyS0", subsystem: "tty"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := evalRules(rules, tc.action, tc.chain, tc.env)
			if len(got.symlinks) != 0 || got.group != "" || got.mode != "" {
				t.Errorf("rules touched it: %+v", got)
			}
			for k, v := range got.env {
				if !strings.HasPrefix(k, ".") && tc.env[k] != v {
					t.Errorf("rules set %s=%s", k, v)
				}
			}
		})
	}
}

// TestUdevadmVerify runs udev's own checker when the installed udev has it (systemd >= 254).
func TestUdevadmVerify(t *testing.T) {
	udevadm, err := exec.LookPath("udevadm")
	if err != nil {
		t.Skip("udevadm not installed")
	}
	if out, err := exec.Command(udevadm, "verify", "--help").CombinedOutput(); err != nil {
		t.Skipf("udevadm has no verify verb (systemd < 254): %s", strings.TrimSpace(firstLine(out)))
	}
	out, err := exec.Command(udevadm, "verify", "60-firmline-modem.rules").CombinedOutput()
	if err != nil {
		t.Fatalf("udevadm verify: %v\n%s", err, out)
	}
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	return s
}

// TestRulesFileIsShipped guards against the build script and the rules drifting apart.
func TestRulesFileIsShipped(t *testing.T) {
	build, err := os.ReadFile("build.sh")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(build), "60-firmline-modem.rules") {
		t.Error("build.sh does not install 60-firmline-modem.rules")
	}
}

// TestMetainfoListsEveryModem: the AppStream modaliases name exactly the modems of the rules.
func TestMetainfoListsEveryModem(t *testing.T) {
	text, err := os.ReadFile("firmline.metainfo.xml")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, m := range atPorts {
		want["usb:v"+strings.ToUpper(m.vid)+"p"+strings.ToUpper(m.pid)+"d*"] = true
	}
	got := map[string]bool{}
	for _, part := range strings.Split(string(text), "<modalias>")[1:] {
		alias, _, _ := strings.Cut(part, "</modalias>")
		got[alias] = true
		if !want[alias] {
			t.Errorf("metainfo lists %s, which the udev rules do not know", alias)
		}
	}
	for alias := range want {
		if !got[alias] {
			t.Errorf("metainfo lacks %s", alias)
		}
	}
}

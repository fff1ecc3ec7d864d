package sim

// Profile names a modem family whose quirks the simulator reproduces.
type Profile string

// The simulated families.
const (
	QuectelEC25   Profile = "quectel-ec25"
	SIMComSIM7600 Profile = "simcom-sim7600"
	HuaweiE3372   Profile = "huawei-e3372"
	TelitLE910    Profile = "telit-le910"
	SierraEM7455  Profile = "sierra-em7455"
	Generic       Profile = "generic"
)

// Profiles lists every profile, for table tests.
var Profiles = []Profile{QuectelEC25, SIMComSIM7600, HuaweiE3372, TelitLE910, SierraEM7455, Generic}

// quirks is what differs between families (modem.md §1).
type quirks struct {
	manufacturer, model, revision string
	cgmrPrefix                    string   // "+CGMR: " on SIMCom, "" elsewhere
	zeroBased                     bool     // message indexes start at 0 (Huawei, SIMCom)
	stores                        []string // what +CPMS=? offers
	cnmi                          [5][]int // allowed values of mode, mt, bm, ds, bfr
	cnmiText                      string   // the +CNMI=? answer
	cmglNoAlpha                   bool     // Telit: +CMGL: <index>,<stat>,<length>
	cmglNoBlank                   bool     // Huawei: no blank line before the final OK
	rssiSpam                      bool     // Huawei: periodic ^RSSI until ^CURC=0, and inside responses
	notSupported                  bool     // Huawei: unknown commands give COMMAND NOT SUPPORT
	cpinr                         bool     // answers AT+CPINR
	urcRoute                      string   // routing command that must be set before URCs reach us
	boot                          []string // URCs written on power-up
}

func span(lo, hi int) []int {
	var v []int
	for i := lo; i <= hi; i++ {
		v = append(v, i)
	}
	return v
}

var profiles = map[Profile]quirks{
	QuectelEC25: {
		manufacturer: "Quectel", model: "EC25", revision: "EC25EFAR06A06M4G",
		stores:   []string{"SM", "ME"},
		cnmi:     [5][]int{span(0, 2), span(0, 3), span(0, 3), span(0, 2), span(0, 1)},
		cnmiText: "+CNMI: (0-2),(0-3),(0-3),(0-2),(0,1)",
		cpinr:    true, urcRoute: "QURCCFG",
		boot: []string{"RDY", "+CFUN: 1", "+CPIN: READY", "+QUSIM: 1", "+QIND: SMS DONE", "+QIND: PB DONE"},
	},
	SIMComSIM7600: {
		manufacturer: "SIMCOM INCORPORATED", model: "SIMCOM_SIM7600E-H", revision: "LE20B04SIM7600M22",
		cgmrPrefix: "+CGMR: ", zeroBased: true,
		stores:   []string{"SM", "ME"},
		cnmi:     [5][]int{span(0, 2), span(0, 3), {0, 2}, span(0, 2), span(0, 1)},
		cnmiText: "+CNMI: (0-2),(0-3),(0,2),(0-2),(0-1)",
		cpinr:    true, urcRoute: "CATR",
		boot: []string{"RDY", "+CPIN: READY", "SMS DONE", "PB DONE"},
	},
	HuaweiE3372: {
		manufacturer: "huawei", model: "E3372", revision: "21.180.01.00.00",
		zeroBased: true, cmglNoBlank: true, rssiSpam: true, notSupported: true,
		stores:   []string{"SM", "ME"},
		cnmi:     [5][]int{span(0, 2), span(0, 3), {0, 2}, {0, 2}, span(0, 1)},
		cnmiText: "+CNMI: (0,1,2),(0,1,2,3),(0,2),(0,2),(0,1)",
		urcRoute: "PORTSEL",
		boot:     []string{"^BOOT:12345678,0,0,0,75", "^SIMST: 1", "^SRVST: 2"},
	},
	TelitLE910: {
		manufacturer: "Telit", model: "LE910C1-EUX", revision: "25.21.660",
		cmglNoAlpha: true, cpinr: true,
		stores:   []string{"SM", "ME"},
		cnmi:     [5][]int{span(0, 3), span(0, 3), {0, 2}, span(0, 2), span(0, 1)},
		cnmiText: "+CNMI: (0-3),(0-3),(0,2),(0-2),(0,1)",
	},
	SierraEM7455: {
		manufacturer: "Sierra Wireless, Incorporated", model: "EM7455", revision: "SWI9X30C_02.24.05.06",
		stores:   []string{"SM", "ME"},
		cnmi:     [5][]int{span(0, 2), span(0, 3), {0, 2}, {0, 1}, span(0, 1)},
		cnmiText: "+CNMI: (0-2),(0-3),(0,2),(0,1),(0-1)",
	},
	Generic: {
		manufacturer: "Generic", model: "LTE Modem", revision: "1.0",
		stores:   []string{"SM"},
		cnmi:     [5][]int{{1, 2}, {0, 1}, {0}, {0}, {0}},
		cnmiText: "+CNMI: (1,2),(0,1),(0),(0),(0)",
		cpinr:    true,
	},
}

// Known reports whether p is a simulated profile.
func Known(p Profile) bool {
	_, ok := profiles[p]
	return ok
}

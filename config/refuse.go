package config

// natsloop refuses what it does not implement: a setting natsloop accepts
// either works or stops the server with a message naming it. A setting
// whose value asks for nothing (false, 0, "", an empty block or list:
// nats-server's defaults) is accepted, so `jetstream: false` or
// `leafnodes {}` do not stop anyone.
//
// When a feature lands, its keys leave these lists and its Options
// fields get used.

// notSupported is the message for a refused setting.
const notSupported = "not supported by natsloop; remove it from the configuration"

// refused refuses v, at its position in the file, unless its value asks
// for nothing; the caller parses v into Options only when it is not
// refused (the permissive loader of the tests never refuses, so that the
// parsing stays tested).
func (l *loader) refused(v value) bool {
	if l.permissive || zero(v.raw) || v.usedVariable() {
		return false
	}
	l.errorf(v, notSupported)
	return true
}

// zero reports whether a config value is a nats-server default that asks
// for nothing.
func zero(raw any) bool {
	switch x := raw.(type) {
	case nil:
		return true
	case bool:
		return !x
	case int64:
		return x == 0
	case float64:
		return x == 0
	case string:
		return x == ""
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return false
}

// unimplementedTop reports the top-level keys nats-server has and
// natsloop does not implement (no Options field: refused as they come).
func unimplementedTop(name string) bool {
	switch name {
	case "gateway", "leaf", "leafnodes", "websocket", "ws", "mqtt", "operator",
		"operators", "roots", "root", "root_operators", "root_operator",
		"resolver", "account_resolver", "accounts_resolver", "resolver_tls",
		"resolver_preload", "resolver_pinned_accounts", "system_account", "system",
		"trusted", "trusted_keys", "mappings", "maps", "server_tags", "server_metadata",
		"disable_sublist_cache", "no_sublist_cache", "ocsp", "ocsp_cache",
		"default_js_domain", "max_sub_tokens", "max_subscription_tokens",
		"allow_non_tls", "trace_headers", "logfile_max_num", "log_max_num",
		"prof_block_rate", "proxy_protocol", "proxies", "default_sentinel",
		"write_timeout", "feature_flags", "no_fast_producer_stall",
		"max_closed_clients":
		return true
	}
	return false
}

// flagNotSupported is the error for a command-line flag natsloop does not
// implement, given with a value that asks for something.
func flagNotSupported(name string) error {
	return &Error{Key: flagName(name), Msg: "not supported by natsloop; remove the flag"}
}

// flagName writes a flag as nats-server's usage does: -p, --port.
func flagName(name string) string {
	if len(name) <= 3 && name != "tls" && name != "pid" && name != "log" && name != "net" {
		return "-" + name
	}
	return "--" + name
}

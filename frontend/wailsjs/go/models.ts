export namespace app {
	
	export class Info {
	    version: string;
	    dataDir: string;
	    database: core.Database;
	
	    static createFrom(source: any = {}) {
	        return new Info(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.version = source["version"];
	        this.dataDir = source["dataDir"];
	        this.database = this.convertValues(source["database"], core.Database);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Preflight {
	    spec: train.Spec;
	    problem?: string;
	    estimate?: plan.Estimate;
	    estimateError?: string;
	    device: string;
	    free: number;
	    fits: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Preflight(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.spec = this.convertValues(source["spec"], train.Spec);
	        this.problem = source["problem"];
	        this.estimate = this.convertValues(source["estimate"], plan.Estimate);
	        this.estimateError = source["estimateError"];
	        this.device = source["device"];
	        this.free = source["free"];
	        this.fits = source["fits"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class RunDetail {
	    run: store.Run;
	    metrics: store.RunMetric[];
	    warnings: string[];
	
	    static createFrom(source: any = {}) {
	        return new RunDetail(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.run = this.convertValues(source["run"], store.Run);
	        this.metrics = this.convertValues(source["metrics"], store.RunMetric);
	        this.warnings = source["warnings"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ServerState {
	    running: boolean;
	    model: string;
	    url: string;
	    token: string;
	
	    static createFrom(source: any = {}) {
	        return new ServerState(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.running = source["running"];
	        this.model = source["model"];
	        this.url = source["url"];
	        this.token = source["token"];
	    }
	}
	export class Started {
	    runId: number;
	    jobId: number;
	
	    static createFrom(source: any = {}) {
	        return new Started(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.runId = source["runId"];
	        this.jobId = source["jobId"];
	    }
	}
	export class Telemetry {
	    report: hw.Report;
	    cpuPct: number;
	
	    static createFrom(source: any = {}) {
	        return new Telemetry(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.report = this.convertValues(source["report"], hw.Report);
	        this.cpuPct = source["cpuPct"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class TrainChoices {
	    models: model.Found[];
	    modelsError?: string;
	    datasets: dataset.Dataset[];
	    defaults: train.Spec;
	
	    static createFrom(source: any = {}) {
	        return new TrainChoices(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.models = this.convertValues(source["models"], model.Found);
	        this.modelsError = source["modelsError"];
	        this.datasets = this.convertValues(source["datasets"], dataset.Dataset);
	        this.defaults = this.convertValues(source["defaults"], train.Spec);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace core {
	
	export class ArenaMatch {
	    id: number;
	    answerA: string;
	    answerB: string;
	
	    static createFrom(source: any = {}) {
	        return new ArenaMatch(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.answerA = source["answerA"];
	        this.answerB = source["answerB"];
	    }
	}
	export class ChatCandidate {
	    id: string;
	    name: string;
	    adapterId: number;
	    path: string;
	
	    static createFrom(source: any = {}) {
	        return new ChatCandidate(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.adapterId = source["adapterId"];
	        this.path = source["path"];
	    }
	}
	export class ArenaRecord {
	    candidate: ChatCandidate;
	    opponent: ChatCandidate;
	    wins: number;
	    losses: number;
	    ties: number;
	    bothBad: number;
	    winRate: number;
	
	    static createFrom(source: any = {}) {
	        return new ArenaRecord(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.candidate = this.convertValues(source["candidate"], ChatCandidate);
	        this.opponent = this.convertValues(source["opponent"], ChatCandidate);
	        this.wins = source["wins"];
	        this.losses = source["losses"];
	        this.ties = source["ties"];
	        this.bothBad = source["bothBad"];
	        this.winRate = source["winRate"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ArenaReveal {
	    id: number;
	    a: ChatCandidate;
	    b: ChatCandidate;
	    winner: string;
	
	    static createFrom(source: any = {}) {
	        return new ArenaReveal(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.a = this.convertValues(source["a"], ChatCandidate);
	        this.b = this.convertValues(source["b"], ChatCandidate);
	        this.winner = source["winner"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ArenaStats {
	    votes: number;
	    standings: ArenaRecord[];
	    pairs: ArenaRecord[];
	
	    static createFrom(source: any = {}) {
	        return new ArenaStats(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.votes = source["votes"];
	        this.standings = this.convertValues(source["standings"], ArenaRecord);
	        this.pairs = this.convertValues(source["pairs"], ArenaRecord);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class ChatSettings {
	    temperature: number;
	    topP: number;
	    maxTokens: number;
	    seed?: number;
	
	    static createFrom(source: any = {}) {
	        return new ChatSettings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.temperature = source["temperature"];
	        this.topP = source["topP"];
	        this.maxTokens = source["maxTokens"];
	        this.seed = source["seed"];
	    }
	}
	export class ConversationView {
	    conversation: store.Conversation;
	    settings: ChatSettings;
	    panes: string[];
	    messages: store.ChatMessage[];
	
	    static createFrom(source: any = {}) {
	        return new ConversationView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.conversation = this.convertValues(source["conversation"], store.Conversation);
	        this.settings = this.convertValues(source["settings"], ChatSettings);
	        this.panes = source["panes"];
	        this.messages = this.convertValues(source["messages"], store.ChatMessage);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Database {
	    path: string;
	    schemaVersion: number;
	    health: string;
	
	    static createFrom(source: any = {}) {
	        return new Database(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.schemaVersion = source["schemaVersion"];
	        this.health = source["health"];
	    }
	}
	export class PaneAnswer {
	    pane: string;
	    message: store.ChatMessage;
	    error?: string;
	
	    static createFrom(source: any = {}) {
	        return new PaneAnswer(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.pane = source["pane"];
	        this.message = this.convertValues(source["message"], store.ChatMessage);
	        this.error = source["error"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class PlanChoices {
	    models: plan.CatalogueModel[];
	    cards: hw.Card[];
	    gpus: hw.GPU[];
	    pricesFile: string;
	
	    static createFrom(source: any = {}) {
	        return new PlanChoices(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.models = this.convertValues(source["models"], plan.CatalogueModel);
	        this.cards = this.convertValues(source["cards"], hw.Card);
	        this.gpus = this.convertValues(source["gpus"], hw.GPU);
	        this.pricesFile = source["pricesFile"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class PreferenceExport {
	    path: string;
	    pairs: number;
	    skipped: number;
	
	    static createFrom(source: any = {}) {
	        return new PreferenceExport(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.pairs = source["pairs"];
	        this.skipped = source["skipped"];
	    }
	}
	export class SendResult {
	    user: store.ChatMessage;
	    seed: number;
	    answers: PaneAnswer[];
	
	    static createFrom(source: any = {}) {
	        return new SendResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.user = this.convertValues(source["user"], store.ChatMessage);
	        this.seed = source["seed"];
	        this.answers = this.convertValues(source["answers"], PaneAnswer);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace data {
	
	export class Stats {
	    examples: number;
	    sequences: number;
	    tokens: number;
	    targetTokens: number;
	    truncated: number;
	    truncatedTokens: number;
	    dropped: Record<string, number>;
	
	    static createFrom(source: any = {}) {
	        return new Stats(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.examples = source["examples"];
	        this.sequences = source["sequences"];
	        this.tokens = source["tokens"];
	        this.targetTokens = source["targetTokens"];
	        this.truncated = source["truncated"];
	        this.truncatedTokens = source["truncatedTokens"];
	        this.dropped = source["dropped"];
	    }
	}

}

export namespace dataset {
	
	export class Bucket {
	    lo: number;
	    hi: number;
	    count: number;
	
	    static createFrom(source: any = {}) {
	        return new Bucket(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.lo = source["lo"];
	        this.hi = source["hi"];
	        this.count = source["count"];
	    }
	}
	export class Dataset {
	    id: number;
	    name: string;
	    source: string;
	    format: string;
	    parentId: number;
	    recipe: string;
	    examples: number;
	    errors: number;
	    bytes: number;
	    // Go type: time
	    createdAt: any;
	
	    static createFrom(source: any = {}) {
	        return new Dataset(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.source = source["source"];
	        this.format = source["format"];
	        this.parentId = source["parentId"];
	        this.recipe = source["recipe"];
	        this.examples = source["examples"];
	        this.errors = source["errors"];
	        this.bytes = source["bytes"];
	        this.createdAt = this.convertValues(source["createdAt"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Example {
	    id: number;
	    seq: number;
	    messages: parse.Message[];
	    label?: string;
	    text?: boolean;
	    line: number;
	    chars: number;
	
	    static createFrom(source: any = {}) {
	        return new Example(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.seq = source["seq"];
	        this.messages = this.convertValues(source["messages"], parse.Message);
	        this.label = source["label"];
	        this.text = source["text"];
	        this.line = source["line"];
	        this.chars = source["chars"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Finding {
	    key: string;
	    title: string;
	    severity: string;
	    count: number;
	    advice: string;
	    examples: number[];
	    groups?: number[][];
	    fix?: string;
	
	    static createFrom(source: any = {}) {
	        return new Finding(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.key = source["key"];
	        this.title = source["title"];
	        this.severity = source["severity"];
	        this.count = source["count"];
	        this.advice = source["advice"];
	        this.examples = source["examples"];
	        this.groups = source["groups"];
	        this.fix = source["fix"];
	    }
	}
	export class ImportError {
	    file: string;
	    line: number;
	    field: string;
	    reason: string;
	
	    static createFrom(source: any = {}) {
	        return new ImportError(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.file = source["file"];
	        this.line = source["line"];
	        this.field = source["field"];
	        this.reason = source["reason"];
	    }
	}
	export class ImportOptions {
	    Name: string;
	    Parse: parse.Options;
	
	    static createFrom(source: any = {}) {
	        return new ImportOptions(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.Name = source["Name"];
	        this.Parse = this.convertValues(source["Parse"], parse.Options);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class LabelCount {
	    label: string;
	    count: number;
	
	    static createFrom(source: any = {}) {
	        return new LabelCount(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.label = source["label"];
	        this.count = source["count"];
	    }
	}
	export class Lengths {
	    histogram: Bucket[];
	    p50: number;
	    p95: number;
	    p99: number;
	    max: number;
	
	    static createFrom(source: any = {}) {
	        return new Lengths(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.histogram = this.convertValues(source["histogram"], Bucket);
	        this.p50 = source["p50"];
	        this.p95 = source["p95"];
	        this.p99 = source["p99"];
	        this.max = source["max"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class MixPart {
	    dataset: number;
	    weight: number;
	
	    static createFrom(source: any = {}) {
	        return new MixPart(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.dataset = source["dataset"];
	        this.weight = source["weight"];
	    }
	}
	export class Page {
	    total: number;
	    examples: Example[];
	
	    static createFrom(source: any = {}) {
	        return new Page(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.total = source["total"];
	        this.examples = this.convertValues(source["examples"], Example);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Shape {
	    roles: LabelCount[];
	    withSystem: number;
	    systemPrompts: number;
	    multiTurn: number;
	    plainText: number;
	
	    static createFrom(source: any = {}) {
	        return new Shape(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.roles = this.convertValues(source["roles"], LabelCount);
	        this.withSystem = source["withSystem"];
	        this.systemPrompts = source["systemPrompts"];
	        this.multiTurn = source["multiTurn"];
	        this.plainText = source["plainText"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Report {
	    dataset: Dataset;
	    examples: number;
	    findings: Finding[];
	    labels: LabelCount[];
	    imbalance: number;
	    lengths: Lengths;
	    shape: Shape;
	    nearChecked: number;
	
	    static createFrom(source: any = {}) {
	        return new Report(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.dataset = this.convertValues(source["dataset"], Dataset);
	        this.examples = source["examples"];
	        this.findings = this.convertValues(source["findings"], Finding);
	        this.labels = this.convertValues(source["labels"], LabelCount);
	        this.imbalance = source["imbalance"];
	        this.lengths = this.convertValues(source["lengths"], Lengths);
	        this.shape = this.convertValues(source["shape"], Shape);
	        this.nearChecked = source["nearChecked"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class TokenLengths {
	    model: string;
	    templated: boolean;
	    seqLen: number;
	    examples: number;
	    histogram: Bucket[];
	    truncated: number;
	    longest: number[];
	    p50: number;
	    p95: number;
	    p99: number;
	    max: number;
	    failed: number;
	    firstError?: string;
	
	    static createFrom(source: any = {}) {
	        return new TokenLengths(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.model = source["model"];
	        this.templated = source["templated"];
	        this.seqLen = source["seqLen"];
	        this.examples = source["examples"];
	        this.histogram = this.convertValues(source["histogram"], Bucket);
	        this.truncated = source["truncated"];
	        this.longest = source["longest"];
	        this.p50 = source["p50"];
	        this.p95 = source["p95"];
	        this.p99 = source["p99"];
	        this.max = source["max"];
	        this.failed = source["failed"];
	        this.firstError = source["firstError"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace hw {
	
	export class CPU {
	    model: string;
	    physicalCores: number;
	    logicalCores: number;
	    avx2: boolean;
	    avx512: boolean;
	    fma: boolean;
	    f16c: boolean;
	
	    static createFrom(source: any = {}) {
	        return new CPU(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.model = source["model"];
	        this.physicalCores = source["physicalCores"];
	        this.logicalCores = source["logicalCores"];
	        this.avx2 = source["avx2"];
	        this.avx512 = source["avx512"];
	        this.fma = source["fma"];
	        this.f16c = source["f16c"];
	    }
	}
	export class Card {
	    key: string;
	    name: string;
	    memory: number;
	    computeMajor: number;
	    computeMinor: number;
	    powerWatts: number;
	    bf16Tflops: number;
	
	    static createFrom(source: any = {}) {
	        return new Card(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.key = source["key"];
	        this.name = source["name"];
	        this.memory = source["memory"];
	        this.computeMajor = source["computeMajor"];
	        this.computeMinor = source["computeMinor"];
	        this.powerWatts = source["powerWatts"];
	        this.bf16Tflops = source["bf16Tflops"];
	    }
	}
	export class DeviceChoice {
	    name: string;
	    gpu: number;
	    reason: string;
	
	    static createFrom(source: any = {}) {
	        return new DeviceChoice(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.gpu = source["gpu"];
	        this.reason = source["reason"];
	    }
	}
	export class Disk {
	    path: string;
	    total: number;
	    free: number;
	
	    static createFrom(source: any = {}) {
	        return new Disk(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.total = source["total"];
	        this.free = source["free"];
	    }
	}
	export class Driver {
	    version: string;
	    cudaVersion: string;
	
	    static createFrom(source: any = {}) {
	        return new Driver(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.version = source["version"];
	        this.cudaVersion = source["cudaVersion"];
	    }
	}
	export class GPU {
	    index: number;
	    name: string;
	    uuid: string;
	    memoryTotal: number;
	    memoryUsed: number;
	    memoryFree: number;
	    computeMajor: number;
	    computeMinor: number;
	    utilizationPct: number;
	    memoryUtilPct: number;
	    temperatureC: number;
	    powerDrawWatts: number;
	    powerLimitWatts: number;
	
	    static createFrom(source: any = {}) {
	        return new GPU(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.index = source["index"];
	        this.name = source["name"];
	        this.uuid = source["uuid"];
	        this.memoryTotal = source["memoryTotal"];
	        this.memoryUsed = source["memoryUsed"];
	        this.memoryFree = source["memoryFree"];
	        this.computeMajor = source["computeMajor"];
	        this.computeMinor = source["computeMinor"];
	        this.utilizationPct = source["utilizationPct"];
	        this.memoryUtilPct = source["memoryUtilPct"];
	        this.temperatureC = source["temperatureC"];
	        this.powerDrawWatts = source["powerDrawWatts"];
	        this.powerLimitWatts = source["powerLimitWatts"];
	    }
	}
	export class Memory {
	    total: number;
	    available: number;
	
	    static createFrom(source: any = {}) {
	        return new Memory(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.total = source["total"];
	        this.available = source["available"];
	    }
	}
	export class Report {
	    // Go type: time
	    time: any;
	    gpus: GPU[];
	    driver: Driver;
	    gpuNote?: string;
	    gpuSource: string;
	    cpu: CPU;
	    memory: Memory;
	    disk: Disk;
	    backend: DeviceChoice;
	
	    static createFrom(source: any = {}) {
	        return new Report(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.time = this.convertValues(source["time"], null);
	        this.gpus = this.convertValues(source["gpus"], GPU);
	        this.driver = this.convertValues(source["driver"], Driver);
	        this.gpuNote = source["gpuNote"];
	        this.gpuSource = source["gpuSource"];
	        this.cpu = this.convertValues(source["cpu"], CPU);
	        this.memory = this.convertValues(source["memory"], Memory);
	        this.disk = this.convertValues(source["disk"], Disk);
	        this.backend = this.convertValues(source["backend"], DeviceChoice);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace model {
	
	export class RopeScaling {
	    type: string;
	    factor: number;
	    originalMaxPositions?: number;
	    lowFreqFactor?: number;
	    highFreqFactor?: number;
	    attentionFactor?: number;
	    betaFast?: number;
	    betaSlow?: number;
	    mscale?: number;
	    mscaleAllDim?: number;
	
	    static createFrom(source: any = {}) {
	        return new RopeScaling(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.type = source["type"];
	        this.factor = source["factor"];
	        this.originalMaxPositions = source["originalMaxPositions"];
	        this.lowFreqFactor = source["lowFreqFactor"];
	        this.highFreqFactor = source["highFreqFactor"];
	        this.attentionFactor = source["attentionFactor"];
	        this.betaFast = source["betaFast"];
	        this.betaSlow = source["betaSlow"];
	        this.mscale = source["mscale"];
	        this.mscaleAllDim = source["mscaleAllDim"];
	    }
	}
	export class Config {
	    name: string;
	    architecture: string;
	    hiddenSize: number;
	    layers: number;
	    heads: number;
	    kvHeads: number;
	    headDim: number;
	    intermediateSize: number;
	    vocabSize: number;
	    tiedEmbeddings: boolean;
	    maxPositions: number;
	    ropeTheta?: number;
	    normEps?: number;
	    ropeScaling: RopeScaling;
	    ropeFreqs?: string;
	    slidingWindow?: number;
	    slidingLayers?: boolean[];
	    attnSoftCap?: number;
	    finalSoftCap?: number;
	    queryScale?: number;
	    hiddenAct?: string;
	    attentionBias?: boolean;
	    mlpBias?: boolean;
	    source: string;
	
	    static createFrom(source: any = {}) {
	        return new Config(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.architecture = source["architecture"];
	        this.hiddenSize = source["hiddenSize"];
	        this.layers = source["layers"];
	        this.heads = source["heads"];
	        this.kvHeads = source["kvHeads"];
	        this.headDim = source["headDim"];
	        this.intermediateSize = source["intermediateSize"];
	        this.vocabSize = source["vocabSize"];
	        this.tiedEmbeddings = source["tiedEmbeddings"];
	        this.maxPositions = source["maxPositions"];
	        this.ropeTheta = source["ropeTheta"];
	        this.normEps = source["normEps"];
	        this.ropeScaling = this.convertValues(source["ropeScaling"], RopeScaling);
	        this.ropeFreqs = source["ropeFreqs"];
	        this.slidingWindow = source["slidingWindow"];
	        this.slidingLayers = source["slidingLayers"];
	        this.attnSoftCap = source["attnSoftCap"];
	        this.finalSoftCap = source["finalSoftCap"];
	        this.queryScale = source["queryScale"];
	        this.hiddenAct = source["hiddenAct"];
	        this.attentionBias = source["attentionBias"];
	        this.mlpBias = source["mlpBias"];
	        this.source = source["source"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Found {
	    name: string;
	    path: string;
	    source: string;
	    format: string;
	    architecture: string;
	    params: number;
	    quantisation: string;
	    sizeBytes: number;
	    error?: string;
	
	    static createFrom(source: any = {}) {
	        return new Found(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.path = source["path"];
	        this.source = source["source"];
	        this.format = source["format"];
	        this.architecture = source["architecture"];
	        this.params = source["params"];
	        this.quantisation = source["quantisation"];
	        this.sizeBytes = source["sizeBytes"];
	        this.error = source["error"];
	    }
	}

}

export namespace parse {
	
	export class Columns {
	    Prompt: string;
	    Response: string;
	    System: string;
	    Label: string;
	
	    static createFrom(source: any = {}) {
	        return new Columns(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.Prompt = source["Prompt"];
	        this.Response = source["Response"];
	        this.System = source["System"];
	        this.Label = source["Label"];
	    }
	}
	export class Message {
	    role: string;
	    content: string;
	
	    static createFrom(source: any = {}) {
	        return new Message(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.role = source["role"];
	        this.content = source["content"];
	    }
	}
	export class Example {
	    messages: Message[];
	    label?: string;
	    text?: boolean;
	    line: number;
	
	    static createFrom(source: any = {}) {
	        return new Example(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.messages = this.convertValues(source["messages"], Message);
	        this.label = source["label"];
	        this.text = source["text"];
	        this.line = source["line"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Detection {
	    Container: string;
	    Format: string;
	    Delimiter: number;
	    Header: boolean;
	    Columns: Columns;
	    Preview: Example[];
	    Why: string;
	
	    static createFrom(source: any = {}) {
	        return new Detection(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.Container = source["Container"];
	        this.Format = source["Format"];
	        this.Delimiter = source["Delimiter"];
	        this.Header = source["Header"];
	        this.Columns = this.convertValues(source["Columns"], Columns);
	        this.Preview = this.convertValues(source["Preview"], Example);
	        this.Why = source["Why"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	
	export class Options {
	    Container: string;
	    Format: string;
	    Delimiter: number;
	    Header?: boolean;
	    Columns: Columns;
	    Strict: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Options(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.Container = source["Container"];
	        this.Format = source["Format"];
	        this.Delimiter = source["Delimiter"];
	        this.Header = source["Header"];
	        this.Columns = this.convertValues(source["Columns"], Columns);
	        this.Strict = source["Strict"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace plan {
	
	export class CatalogueModel {
	    key: string;
	    name: string;
	    repo: string;
	    config: model.Config;
	
	    static createFrom(source: any = {}) {
	        return new CatalogueModel(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.key = source["key"];
	        this.name = source["name"];
	        this.repo = source["repo"];
	        this.config = this.convertValues(source["config"], model.Config);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Line {
	    key: string;
	    label: string;
	    bytes: number;
	
	    static createFrom(source: any = {}) {
	        return new Line(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.key = source["key"];
	        this.label = source["label"];
	        this.bytes = source["bytes"];
	    }
	}
	export class Settings {
	    method: string;
	    seqLen: number;
	    microBatch: number;
	    rank: number;
	    targets: string[];
	    checkpointing: boolean;
	    optimizer: string;
	    chunkedLoss: boolean;
	    flashAttention: boolean;
	    upcastFrozen: boolean;
	    cpu?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Settings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.method = source["method"];
	        this.seqLen = source["seqLen"];
	        this.microBatch = source["microBatch"];
	        this.rank = source["rank"];
	        this.targets = source["targets"];
	        this.checkpointing = source["checkpointing"];
	        this.optimizer = source["optimizer"];
	        this.chunkedLoss = source["chunkedLoss"];
	        this.flashAttention = source["flashAttention"];
	        this.upcastFrozen = source["upcastFrozen"];
	        this.cpu = source["cpu"];
	    }
	}
	export class Estimate {
	    settings: Settings;
	    params: number;
	    trainableParams: number;
	    lines: Line[];
	    activationsCheckpointed: number;
	    activationsFull: number;
	    total: number;
	    peak: number;
	    flopsPerToken: number;
	
	    static createFrom(source: any = {}) {
	        return new Estimate(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.settings = this.convertValues(source["settings"], Settings);
	        this.params = source["params"];
	        this.trainableParams = source["trainableParams"];
	        this.lines = this.convertValues(source["lines"], Line);
	        this.activationsCheckpointed = source["activationsCheckpointed"];
	        this.activationsFull = source["activationsFull"];
	        this.total = source["total"];
	        this.peak = source["peak"];
	        this.flopsPerToken = source["flopsPerToken"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class CloudPick {
	    card: hw.Card;
	    pricePerHour: number;
	    runCost: number;
	    estimate: Estimate;
	
	    static createFrom(source: any = {}) {
	        return new CloudPick(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.card = this.convertValues(source["card"], hw.Card);
	        this.pricePerHour = source["pricePerHour"];
	        this.runCost = source["runCost"];
	        this.estimate = this.convertValues(source["estimate"], Estimate);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class UseCases {
	    n: number;
	    dedicated: number;
	    sharedDeployments: number;
	    shared: number;
	    saving: number;
	
	    static createFrom(source: any = {}) {
	        return new UseCases(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.n = source["n"];
	        this.dedicated = source["dedicated"];
	        this.sharedDeployments = source["sharedDeployments"];
	        this.shared = source["shared"];
	        this.saving = source["saving"];
	    }
	}
	export class CostLine {
	    key: string;
	    label: string;
	    amount: number;
	    note: string;
	
	    static createFrom(source: any = {}) {
	        return new CostLine(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.key = source["key"];
	        this.label = source["label"];
	        this.amount = source["amount"];
	        this.note = source["note"];
	    }
	}
	export class Training {
	    tokens: number;
	    tokensPerSecond: number;
	    hours: number;
	    localEnergy: number;
	    cloudAvailable: boolean;
	    onDemand: number;
	    spotHours: number;
	    spot: number;
	    spotViable: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Training(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.tokens = source["tokens"];
	        this.tokensPerSecond = source["tokensPerSecond"];
	        this.hours = source["hours"];
	        this.localEnergy = source["localEnergy"];
	        this.cloudAvailable = source["cloudAvailable"];
	        this.onDemand = source["onDemand"];
	        this.spotHours = source["spotHours"];
	        this.spot = source["spot"];
	        this.spotViable = source["spotViable"];
	    }
	}
	export class Cost {
	    training: Training;
	    trainOn: string;
	    perRun: number;
	    lines: CostLine[];
	    monthly: number[];
	    tco12: number;
	    useCases: UseCases;
	    asOf: string;
	
	    static createFrom(source: any = {}) {
	        return new Cost(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.training = this.convertValues(source["training"], Training);
	        this.trainOn = source["trainOn"];
	        this.perRun = source["perRun"];
	        this.lines = this.convertValues(source["lines"], CostLine);
	        this.monthly = source["monthly"];
	        this.tco12 = source["tco12"];
	        this.useCases = this.convertValues(source["useCases"], UseCases);
	        this.asOf = source["asOf"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class CostInput {
	    card: hw.Card;
	    local: boolean;
	    examples: number;
	    tokensPerExample: number;
	    epochs: number;
	    examplesToAnnotate: number;
	    checkpointMinutes: number;
	    useCases: number;
	
	    static createFrom(source: any = {}) {
	        return new CostInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.card = this.convertValues(source["card"], hw.Card);
	        this.local = source["local"];
	        this.examples = source["examples"];
	        this.tokensPerExample = source["tokensPerExample"];
	        this.epochs = source["epochs"];
	        this.examplesToAnnotate = source["examplesToAnnotate"];
	        this.checkpointMinutes = source["checkpointMinutes"];
	        this.useCases = source["useCases"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	
	
	export class ModelInfo {
	    name: string;
	    source: string;
	    config: model.Config;
	    params: number;
	
	    static createFrom(source: any = {}) {
	        return new ModelInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.source = source["source"];
	        this.config = this.convertValues(source["config"], model.Config);
	        this.params = source["params"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Option {
	    method: string;
	    estimate: Estimate;
	    fits: boolean;
	    comfortable: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Option(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.method = source["method"];
	        this.estimate = this.convertValues(source["estimate"], Estimate);
	        this.fits = source["fits"];
	        this.comfortable = source["comfortable"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Recommendation {
	    settings: Settings;
	    estimate: Estimate;
	    gradAccum: number;
	    epochs: number;
	    fitsLocally: boolean;
	    reasons: string[];
	    methods: Option[];
	    cloud?: CloudPick;
	
	    static createFrom(source: any = {}) {
	        return new Recommendation(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.settings = this.convertValues(source["settings"], Settings);
	        this.estimate = this.convertValues(source["estimate"], Estimate);
	        this.gradAccum = source["gradAccum"];
	        this.epochs = source["epochs"];
	        this.fitsLocally = source["fitsLocally"];
	        this.reasons = source["reasons"];
	        this.methods = this.convertValues(source["methods"], Option);
	        this.cloud = this.convertValues(source["cloud"], CloudPick);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class TokenStats {
	    count: number;
	    p50: number;
	    p95: number;
	    p99: number;
	    max: number;
	
	    static createFrom(source: any = {}) {
	        return new TokenStats(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.count = source["count"];
	        this.p50 = source["p50"];
	        this.p95 = source["p95"];
	        this.p99 = source["p99"];
	        this.max = source["max"];
	    }
	}
	export class Request {
	    model: string;
	    gpu: string;
	    tokens?: TokenStats;
	    seqLen: number;
	    microBatch: number;
	    rank: number;
	    targets?: string[];
	    checkpointing?: boolean;
	    optimizer: string;
	    cost: CostInput;
	
	    static createFrom(source: any = {}) {
	        return new Request(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.model = source["model"];
	        this.gpu = source["gpu"];
	        this.tokens = this.convertValues(source["tokens"], TokenStats);
	        this.seqLen = source["seqLen"];
	        this.microBatch = source["microBatch"];
	        this.rank = source["rank"];
	        this.targets = source["targets"];
	        this.checkpointing = source["checkpointing"];
	        this.optimizer = source["optimizer"];
	        this.cost = this.convertValues(source["cost"], CostInput);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Target {
	    card: hw.Card;
	    free: number;
	    inUse: number;
	    local: boolean;
	    gpuIndex: number;
	
	    static createFrom(source: any = {}) {
	        return new Target(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.card = this.convertValues(source["card"], hw.Card);
	        this.free = source["free"];
	        this.inUse = source["inUse"];
	        this.local = source["local"];
	        this.gpuIndex = source["gpuIndex"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Result {
	    model: ModelInfo;
	    target: Target;
	    recommendation: Recommendation;
	    settings: Settings;
	    comparison: Option[];
	    cost?: Cost;
	    costError?: string;
	
	    static createFrom(source: any = {}) {
	        return new Result(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.model = this.convertValues(source["model"], ModelInfo);
	        this.target = this.convertValues(source["target"], Target);
	        this.recommendation = this.convertValues(source["recommendation"], Recommendation);
	        this.settings = this.convertValues(source["settings"], Settings);
	        this.comparison = this.convertValues(source["comparison"], Option);
	        this.cost = this.convertValues(source["cost"], Cost);
	        this.costError = source["costError"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	
	
	

}

export namespace store {
	
	export class Adapter {
	    id: number;
	    name: string;
	    runId?: number;
	    path: string;
	    contract: any;
	    metrics: Record<string, number>;
	    // Go type: time
	    createdAt: any;
	
	    static createFrom(source: any = {}) {
	        return new Adapter(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.runId = source["runId"];
	        this.path = source["path"];
	        this.contract = source["contract"];
	        this.metrics = source["metrics"];
	        this.createdAt = this.convertValues(source["createdAt"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ChatStats {
	    ttftMs: number;
	    tokensPerSecond: number;
	    completionTokens: number;
	    seed: number;
	    finish: string;
	    error?: string;
	
	    static createFrom(source: any = {}) {
	        return new ChatStats(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.ttftMs = source["ttftMs"];
	        this.tokensPerSecond = source["tokensPerSecond"];
	        this.completionTokens = source["completionTokens"];
	        this.seed = source["seed"];
	        this.finish = source["finish"];
	        this.error = source["error"];
	    }
	}
	export class ChatMessage {
	    id: number;
	    conversationId: number;
	    pane: string;
	    role: string;
	    content: string;
	    stats: ChatStats;
	    // Go type: time
	    createdAt: any;
	
	    static createFrom(source: any = {}) {
	        return new ChatMessage(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.conversationId = source["conversationId"];
	        this.pane = source["pane"];
	        this.role = source["role"];
	        this.content = source["content"];
	        this.stats = this.convertValues(source["stats"], ChatStats);
	        this.createdAt = this.convertValues(source["createdAt"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class Conversation {
	    id: number;
	    title: string;
	    modelPath: string;
	    system: string;
	    sampling: any;
	    // Go type: time
	    createdAt: any;
	    // Go type: time
	    updatedAt: any;
	
	    static createFrom(source: any = {}) {
	        return new Conversation(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.title = source["title"];
	        this.modelPath = source["modelPath"];
	        this.system = source["system"];
	        this.sampling = source["sampling"];
	        this.createdAt = this.convertValues(source["createdAt"], null);
	        this.updatedAt = this.convertValues(source["updatedAt"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Job {
	    id: number;
	    kind: string;
	    title: string;
	    state: string;
	    progress: number;
	    message: string;
	    error: string;
	    step: number;
	    metrics?: Record<string, number>;
	    result?: any;
	    pid: number;
	    // Go type: time
	    createdAt: any;
	    // Go type: time
	    updatedAt: any;
	    // Go type: time
	    finishedAt?: any;
	
	    static createFrom(source: any = {}) {
	        return new Job(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.kind = source["kind"];
	        this.title = source["title"];
	        this.state = source["state"];
	        this.progress = source["progress"];
	        this.message = source["message"];
	        this.error = source["error"];
	        this.step = source["step"];
	        this.metrics = source["metrics"];
	        this.result = source["result"];
	        this.pid = source["pid"];
	        this.createdAt = this.convertValues(source["createdAt"], null);
	        this.updatedAt = this.convertValues(source["updatedAt"], null);
	        this.finishedAt = this.convertValues(source["finishedAt"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Run {
	    id: number;
	    name: string;
	    state: string;
	    spec: any;
	    jobId?: number;
	    outDir: string;
	    step: number;
	    totalSteps: number;
	    summary: any;
	    error: string;
	    suggestion: string;
	    // Go type: time
	    createdAt: any;
	    // Go type: time
	    updatedAt: any;
	
	    static createFrom(source: any = {}) {
	        return new Run(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.state = source["state"];
	        this.spec = source["spec"];
	        this.jobId = source["jobId"];
	        this.outDir = source["outDir"];
	        this.step = source["step"];
	        this.totalSteps = source["totalSteps"];
	        this.summary = source["summary"];
	        this.error = source["error"];
	        this.suggestion = source["suggestion"];
	        this.createdAt = this.convertValues(source["createdAt"], null);
	        this.updatedAt = this.convertValues(source["updatedAt"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class RunMetric {
	    runId: number;
	    step: number;
	    metrics: Record<string, number>;
	
	    static createFrom(source: any = {}) {
	        return new RunMetric(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.runId = source["runId"];
	        this.step = source["step"];
	        this.metrics = source["metrics"];
	    }
	}

}

export namespace train {
	
	export class DataStats {
	    examples: number;
	    sequences: number;
	    tokens: number;
	    targetTokens: number;
	    truncated: number;
	    truncatedTokens: number;
	    dropped: Record<string, number>;
	    eval?: data.Stats;
	    batchesPerEpoch: number;
	
	    static createFrom(source: any = {}) {
	        return new DataStats(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.examples = source["examples"];
	        this.sequences = source["sequences"];
	        this.tokens = source["tokens"];
	        this.targetTokens = source["targetTokens"];
	        this.truncated = source["truncated"];
	        this.truncatedTokens = source["truncatedTokens"];
	        this.dropped = source["dropped"];
	        this.eval = this.convertValues(source["eval"], data.Stats);
	        this.batchesPerEpoch = source["batchesPerEpoch"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Spec {
	    name: string;
	    model: string;
	    dataset: number;
	    evalDataset: number;
	    method: string;
	    outDir: string;
	    epochs: number;
	    maxSteps: number;
	    seqLen: number;
	    microBatch: number;
	    gradAccum: number;
	    lr: number;
	    schedule: string;
	    warmupRatio: number;
	    weightDecay: number;
	    maxGradNorm: number;
	    seed: number;
	    rank: number;
	    alpha: number;
	    dropout: number;
	    targets?: string[];
	    allTokens: boolean;
	    // Go type: time
	    now: any;
	    tooLong: string;
	    checkpointing: boolean;
	    evalEvery: number;
	    checkpointEvery: number;
	    checkpointMinutes: number;
	    keepCheckpoints: number;
	
	    static createFrom(source: any = {}) {
	        return new Spec(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.model = source["model"];
	        this.dataset = source["dataset"];
	        this.evalDataset = source["evalDataset"];
	        this.method = source["method"];
	        this.outDir = source["outDir"];
	        this.epochs = source["epochs"];
	        this.maxSteps = source["maxSteps"];
	        this.seqLen = source["seqLen"];
	        this.microBatch = source["microBatch"];
	        this.gradAccum = source["gradAccum"];
	        this.lr = source["lr"];
	        this.schedule = source["schedule"];
	        this.warmupRatio = source["warmupRatio"];
	        this.weightDecay = source["weightDecay"];
	        this.maxGradNorm = source["maxGradNorm"];
	        this.seed = source["seed"];
	        this.rank = source["rank"];
	        this.alpha = source["alpha"];
	        this.dropout = source["dropout"];
	        this.targets = source["targets"];
	        this.allTokens = source["allTokens"];
	        this.now = this.convertValues(source["now"], null);
	        this.tooLong = source["tooLong"];
	        this.checkpointing = source["checkpointing"];
	        this.evalEvery = source["evalEvery"];
	        this.checkpointEvery = source["checkpointEvery"];
	        this.checkpointMinutes = source["checkpointMinutes"];
	        this.keepCheckpoints = source["keepCheckpoints"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Preflight {
	    stepSeconds: number;
	    totalSteps: number;
	    minutes: number;
	    peakBytes: number;
	    freeBytes: number;
	    fits: boolean;
	    message: string;
	    suggestion?: string;
	    retry?: Spec;
	    data: DataStats;
	    warnings?: string[];
	
	    static createFrom(source: any = {}) {
	        return new Preflight(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.stepSeconds = source["stepSeconds"];
	        this.totalSteps = source["totalSteps"];
	        this.minutes = source["minutes"];
	        this.peakBytes = source["peakBytes"];
	        this.freeBytes = source["freeBytes"];
	        this.fits = source["fits"];
	        this.message = source["message"];
	        this.suggestion = source["suggestion"];
	        this.retry = this.convertValues(source["retry"], Spec);
	        this.data = this.convertValues(source["data"], DataStats);
	        this.warnings = source["warnings"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}


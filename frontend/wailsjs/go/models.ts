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

}

export namespace core {
	
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

}

export namespace hw {
	
	export class Backend {
	    name: string;
	    gpu: number;
	    reason: string;
	
	    static createFrom(source: any = {}) {
	        return new Backend(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.gpu = source["gpu"];
	        this.reason = source["reason"];
	    }
	}
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
	    backend: Backend;
	
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
	        this.backend = this.convertValues(source["backend"], Backend);
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
	
	export class Job {
	    id: number;
	    kind: string;
	    title: string;
	    state: string;
	    progress: number;
	    message: string;
	    error: string;
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

}


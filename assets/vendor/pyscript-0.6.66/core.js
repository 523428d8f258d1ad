export{u as MPWorker,t as PyWorker,T as TYPES,c as codemirror,v as config,q as donkey,e as hooks,i as inputFailure,o as offline_interpreter,p as optional,r as relative_url,s as stdlib,x as whenDefined}from"./core-D0lb6Ll_.js";
//# sourceMappingURL=core.js.map

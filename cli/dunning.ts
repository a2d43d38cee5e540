console.log('dunning cli', process.argv.slice(2).join(' '), process.version);

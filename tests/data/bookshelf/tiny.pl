UCLA pl 1.0
a 1.5 0 : N
b 3 10 : FS
t0 -5 0 : N /FIXED
t1 30 30 : N /FIXED_NI

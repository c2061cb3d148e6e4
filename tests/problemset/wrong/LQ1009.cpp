// Deliberately WRONG: the loop stops at i * i < n, so squares of primes (25, 44711^2) pass as prime.
#include <iostream>
using namespace std;
int main() {
    long long n;
    cin >> n;
    bool prime = n >= 2;
    for (long long i = 2; i * i < n; i++) {
        if (n % i == 0) {
            prime = false;
            break;
        }
    }
    cout << (prime ? "Yes" : "No") << "\n";
    return 0;
}

#include <iostream>
using namespace std;
int main() {
    long long a, b, p;
    cin >> a >> b >> p;
    long long result = 1 % p, base = a % p;
    while (b > 0) {
        if (b & 1) result = result * base % p;
        base = base * base % p;
        b >>= 1;
    }
    cout << result << "\n";
    return 0;
}
